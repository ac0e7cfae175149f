using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Consilium.Migrations.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class ClaimFactsAndHostInstitution : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string[]>(
                name: "HostNpis",
                table: "Programs",
                type: "text[]",
                nullable: false,
                defaultValue: new string[0]);

            migrationBuilder.AddColumn<string>(
                name: "HostState",
                table: "Programs",
                type: "character varying(2)",
                maxLength: 2,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "ClaimFacts",
                columns: table => new
                {
                    ProgramId = table.Column<Guid>(type: "uuid", nullable: false),
                    MemberExternalId = table.Column<string>(type: "character varying(80)", maxLength: 80, nullable: false),
                    ClaimId = table.Column<string>(type: "character varying(80)", maxLength: 80, nullable: false),
                    FrequencyCode = table.Column<string>(type: "character varying(2)", maxLength: 2, nullable: true),
                    Rank = table.Column<int>(type: "integer", nullable: false),
                    Voided = table.Column<bool>(type: "boolean", nullable: false),
                    ServiceFrom = table.Column<DateOnly>(type: "date", nullable: true),
                    ServiceTo = table.Column<DateOnly>(type: "date", nullable: true),
                    Procedures = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: false),
                    PrincipalDiagnosis = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: true),
                    BillingNpi = table.Column<string>(type: "character varying(10)", maxLength: 10, nullable: true),
                    ChargeCents = table.Column<long>(type: "bigint", nullable: false),
                    ScanJobId = table.Column<Guid>(type: "uuid", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ClaimFacts", x => new { x.ProgramId, x.MemberExternalId, x.ClaimId });
                    table.ForeignKey(
                        name: "FK_ClaimFacts_Programs_ProgramId",
                        column: x => x.ProgramId,
                        principalTable: "Programs",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_ClaimFacts_ProgramId_BillingNpi",
                table: "ClaimFacts",
                columns: new[] { "ProgramId", "BillingNpi" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ClaimFacts");

            migrationBuilder.DropColumn(
                name: "HostNpis",
                table: "Programs");

            migrationBuilder.DropColumn(
                name: "HostState",
                table: "Programs");
        }
    }
}
