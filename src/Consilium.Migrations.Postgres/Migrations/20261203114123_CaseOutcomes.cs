using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Consilium.Migrations.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class CaseOutcomes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "CaseOutcomes",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    ProgramId = table.Column<Guid>(type: "uuid", nullable: false),
                    Source = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    ExternalCaseId = table.Column<string>(type: "character varying(80)", maxLength: 80, nullable: false),
                    CaseId = table.Column<Guid>(type: "uuid", nullable: true),
                    MemberExternalId = table.Column<string>(type: "character varying(80)", maxLength: 80, nullable: true),
                    MemberId = table.Column<Guid>(type: "uuid", nullable: true),
                    Category = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    FromTrigger = table.Column<bool>(type: "boolean", nullable: false),
                    RequestedOn = table.Column<DateOnly>(type: "date", nullable: false),
                    TriggeredOn = table.Column<DateOnly>(type: "date", nullable: true),
                    PacketCompleteOn = table.Column<DateOnly>(type: "date", nullable: true),
                    OpinionOn = table.Column<DateOnly>(type: "date", nullable: true),
                    OpinionMonth = table.Column<int>(type: "integer", nullable: true),
                    DaysToOpinion = table.Column<int>(type: "integer", nullable: true),
                    DaysFromTrigger = table.Column<int>(type: "integer", nullable: true),
                    DaysToPacket = table.Column<int>(type: "integer", nullable: true),
                    DaysPacketToOpinion = table.Column<int>(type: "integer", nullable: true),
                    SlaMet = table.Column<bool>(type: "boolean", nullable: true),
                    OriginalDx = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    ReviewerDx = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    DiagnosisAgreement = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: true),
                    TreatmentAgreement = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: true),
                    SurgeryProposed = table.Column<bool>(type: "boolean", nullable: false),
                    SurgeryRecommended = table.Column<bool>(type: "boolean", nullable: false),
                    HospitalizationProposed = table.Column<bool>(type: "boolean", nullable: false),
                    HospitalizationRecommended = table.Column<bool>(type: "boolean", nullable: false),
                    SiteOfCareChange = table.Column<bool>(type: "boolean", nullable: false),
                    OriginalPlanCents = table.Column<long>(type: "bigint", nullable: true),
                    RecommendedPlanCents = table.Column<long>(type: "bigint", nullable: true),
                    Satisfaction = table.Column<int>(type: "integer", nullable: true),
                    RecommendationFollowed = table.Column<bool>(type: "boolean", nullable: true),
                    AgeBand = table.Column<string>(type: "character varying(10)", maxLength: 10, nullable: true),
                    Sex = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: true),
                    State = table.Column<string>(type: "character varying(2)", maxLength: 2, nullable: true),
                    Language = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: true),
                    TreatingNpi = table.Column<string>(type: "character varying(10)", maxLength: 10, nullable: true),
                    TreatingOrganization = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    RecordedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CaseOutcomes", x => x.Id);
                    table.ForeignKey(
                        name: "FK_CaseOutcomes_Programs_ProgramId",
                        column: x => x.ProgramId,
                        principalTable: "Programs",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "ProgramCosts",
                columns: table => new
                {
                    ProgramId = table.Column<Guid>(type: "uuid", nullable: false),
                    Key = table.Column<string>(type: "character varying(60)", maxLength: 60, nullable: false),
                    Cost = table.Column<decimal>(type: "numeric(14,2)", precision: 14, scale: 2, nullable: false),
                    Label = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ProgramCosts", x => new { x.ProgramId, x.Key });
                    table.ForeignKey(
                        name: "FK_ProgramCosts_Programs_ProgramId",
                        column: x => x.ProgramId,
                        principalTable: "Programs",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_CaseOutcomes_CaseId",
                table: "CaseOutcomes",
                column: "CaseId");

            migrationBuilder.CreateIndex(
                name: "IX_CaseOutcomes_ProgramId_OpinionOn",
                table: "CaseOutcomes",
                columns: new[] { "ProgramId", "OpinionOn" });

            migrationBuilder.CreateIndex(
                name: "IX_CaseOutcomes_ProgramId_Source_ExternalCaseId",
                table: "CaseOutcomes",
                columns: new[] { "ProgramId", "Source", "ExternalCaseId" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "CaseOutcomes");

            migrationBuilder.DropTable(
                name: "ProgramCosts");
        }
    }
}
