using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Consilium.Migrations.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class SpecialistNetwork : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string[]>(
                name: "Affiliations",
                table: "Physicians",
                type: "text[]",
                nullable: false,
                defaultValue: new string[0]);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "CreatedAt",
                table: "Physicians",
                type: "timestamp with time zone",
                nullable: false,
                defaultValue: new DateTimeOffset(new DateTime(1, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified), new TimeSpan(0, 0, 0, 0, 0)));

            migrationBuilder.AddColumn<string>(
                name: "Email",
                table: "Physicians",
                type: "character varying(256)",
                maxLength: 256,
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "ImlcParticipant",
                table: "Physicians",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<string[]>(
                name: "Languages",
                table: "Physicians",
                type: "text[]",
                nullable: false,
                defaultValue: new string[0]);

            migrationBuilder.AddColumn<string>(
                name: "Status",
                table: "Physicians",
                type: "character varying(40)",
                maxLength: 40,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<decimal>(
                name: "StipendPerOpinion",
                table: "Physicians",
                type: "numeric",
                nullable: false,
                defaultValue: 0m);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "UpdatedAt",
                table: "Physicians",
                type: "timestamp with time zone",
                nullable: false,
                defaultValue: new DateTimeOffset(new DateTime(1, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified), new TimeSpan(0, 0, 0, 0, 0)));

            migrationBuilder.AddColumn<int>(
                name: "WeeklyCapacity",
                table: "Physicians",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<DateOnly>(
                name: "IssuedOn",
                table: "PhysicianLicenses",
                type: "date",
                nullable: false,
                defaultValue: new DateOnly(1, 1, 1));

            migrationBuilder.AddColumn<bool>(
                name: "ViaCompact",
                table: "PhysicianLicenses",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.CreateTable(
                name: "PhysicianBoards",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    Board = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    ExpiresOn = table.Column<DateOnly>(type: "date", nullable: true),
                    PhysicianId = table.Column<Guid>(type: "uuid", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_PhysicianBoards", x => x.Id);
                    table.ForeignKey(
                        name: "FK_PhysicianBoards_Physicians_PhysicianId",
                        column: x => x.PhysicianId,
                        principalTable: "Physicians",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "ReviewerOffers",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    CaseId = table.Column<Guid>(type: "uuid", nullable: false),
                    PhysicianId = table.Column<Guid>(type: "uuid", nullable: false),
                    ReviewerUserId = table.Column<Guid>(type: "uuid", nullable: false),
                    Role = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    Mode = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    Score = table.Column<int>(type: "integer", nullable: false),
                    Status = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    OfferedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ExpiresAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    OfferedBy = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    ReplacesOfferId = table.Column<Guid>(type: "uuid", nullable: true),
                    RespondedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    DeclineReason = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    Version = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ReviewerOffers", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ReviewerOffers_Cases_CaseId",
                        column: x => x.CaseId,
                        principalTable: "Cases",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_ReviewerOffers_Physicians_PhysicianId",
                        column: x => x.PhysicianId,
                        principalTable: "Physicians",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "StateRules",
                columns: table => new
                {
                    State = table.Column<string>(type: "character varying(2)", maxLength: 2, nullable: false),
                    Rule = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    Note = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    ChangedBy = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    ChangedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_StateRules", x => x.State);
                });

            migrationBuilder.CreateTable(
                name: "Stipends",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    PhysicianId = table.Column<Guid>(type: "uuid", nullable: false),
                    CaseId = table.Column<Guid>(type: "uuid", nullable: false),
                    Role = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    Amount = table.Column<decimal>(type: "numeric", nullable: false),
                    EarnedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    Status = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Stipends", x => x.Id);
                    table.CheckConstraint("CK_Stipends_Amount", "\"Amount\" >= 0");
                    table.ForeignKey(
                        name: "FK_Stipends_Cases_CaseId",
                        column: x => x.CaseId,
                        principalTable: "Cases",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_Stipends_Physicians_PhysicianId",
                        column: x => x.PhysicianId,
                        principalTable: "Physicians",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Physicians_Npi",
                table: "Physicians",
                column: "Npi",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Physicians_Specialty_Subspecialty",
                table: "Physicians",
                columns: new[] { "Specialty", "Subspecialty" });

            migrationBuilder.CreateIndex(
                name: "IX_PhysicianLicenses_ExpiresOn",
                table: "PhysicianLicenses",
                column: "ExpiresOn");

            migrationBuilder.CreateIndex(
                name: "IX_PhysicianLicenses_State",
                table: "PhysicianLicenses",
                column: "State");

            migrationBuilder.CreateIndex(
                name: "IX_PhysicianBoards_PhysicianId",
                table: "PhysicianBoards",
                column: "PhysicianId");

            migrationBuilder.CreateIndex(
                name: "IX_ReviewerOffers_CaseId_PhysicianId",
                table: "ReviewerOffers",
                columns: new[] { "CaseId", "PhysicianId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_ReviewerOffers_OneLead",
                table: "ReviewerOffers",
                column: "CaseId",
                unique: true,
                filter: "\"Role\" = 'Lead' AND \"Status\" IN ('Pending', 'Accepted')");

            migrationBuilder.CreateIndex(
                name: "IX_ReviewerOffers_PhysicianId",
                table: "ReviewerOffers",
                column: "PhysicianId");

            migrationBuilder.CreateIndex(
                name: "IX_ReviewerOffers_ReviewerUserId_Status",
                table: "ReviewerOffers",
                columns: new[] { "ReviewerUserId", "Status" });

            migrationBuilder.CreateIndex(
                name: "IX_ReviewerOffers_Status_ExpiresAt",
                table: "ReviewerOffers",
                columns: new[] { "Status", "ExpiresAt" });

            migrationBuilder.CreateIndex(
                name: "IX_Stipends_CaseId_PhysicianId",
                table: "Stipends",
                columns: new[] { "CaseId", "PhysicianId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Stipends_EarnedAt",
                table: "Stipends",
                column: "EarnedAt");

            migrationBuilder.CreateIndex(
                name: "IX_Stipends_PhysicianId_EarnedAt",
                table: "Stipends",
                columns: new[] { "PhysicianId", "EarnedAt" });

            // Physicians recorded before the network existed: active, English-speaking, three cases a week.
            migrationBuilder.Sql("UPDATE \"Physicians\" SET \"Status\" = 'Active', \"WeeklyCapacity\" = 3, \"Languages\" = ARRAY['en'] WHERE \"Status\" = '';");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "PhysicianBoards");

            migrationBuilder.DropTable(
                name: "ReviewerOffers");

            migrationBuilder.DropTable(
                name: "StateRules");

            migrationBuilder.DropTable(
                name: "Stipends");

            migrationBuilder.DropIndex(
                name: "IX_Physicians_Npi",
                table: "Physicians");

            migrationBuilder.DropIndex(
                name: "IX_Physicians_Specialty_Subspecialty",
                table: "Physicians");

            migrationBuilder.DropIndex(
                name: "IX_PhysicianLicenses_ExpiresOn",
                table: "PhysicianLicenses");

            migrationBuilder.DropIndex(
                name: "IX_PhysicianLicenses_State",
                table: "PhysicianLicenses");

            migrationBuilder.DropColumn(
                name: "Affiliations",
                table: "Physicians");

            migrationBuilder.DropColumn(
                name: "CreatedAt",
                table: "Physicians");

            migrationBuilder.DropColumn(
                name: "Email",
                table: "Physicians");

            migrationBuilder.DropColumn(
                name: "ImlcParticipant",
                table: "Physicians");

            migrationBuilder.DropColumn(
                name: "Languages",
                table: "Physicians");

            migrationBuilder.DropColumn(
                name: "Status",
                table: "Physicians");

            migrationBuilder.DropColumn(
                name: "StipendPerOpinion",
                table: "Physicians");

            migrationBuilder.DropColumn(
                name: "UpdatedAt",
                table: "Physicians");

            migrationBuilder.DropColumn(
                name: "WeeklyCapacity",
                table: "Physicians");

            migrationBuilder.DropColumn(
                name: "IssuedOn",
                table: "PhysicianLicenses");

            migrationBuilder.DropColumn(
                name: "ViaCompact",
                table: "PhysicianLicenses");
        }
    }
}
