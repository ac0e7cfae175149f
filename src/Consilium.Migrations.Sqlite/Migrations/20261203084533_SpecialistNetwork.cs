using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Consilium.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class SpecialistNetwork : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Affiliations",
                table: "Physicians",
                type: "TEXT",
                nullable: false,
                defaultValue: "[]");

            migrationBuilder.AddColumn<long>(
                name: "CreatedAt",
                table: "Physicians",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<string>(
                name: "Email",
                table: "Physicians",
                type: "TEXT",
                maxLength: 256,
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "ImlcParticipant",
                table: "Physicians",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<string>(
                name: "Languages",
                table: "Physicians",
                type: "TEXT",
                nullable: false,
                defaultValue: "[]");

            migrationBuilder.AddColumn<string>(
                name: "Status",
                table: "Physicians",
                type: "TEXT",
                maxLength: 40,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<long>(
                name: "StipendPerOpinion",
                table: "Physicians",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<long>(
                name: "UpdatedAt",
                table: "Physicians",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<int>(
                name: "WeeklyCapacity",
                table: "Physicians",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<DateOnly>(
                name: "IssuedOn",
                table: "PhysicianLicenses",
                type: "TEXT",
                nullable: false,
                defaultValue: new DateOnly(1, 1, 1));

            migrationBuilder.AddColumn<bool>(
                name: "ViaCompact",
                table: "PhysicianLicenses",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.CreateTable(
                name: "PhysicianBoards",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Board = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    ExpiresOn = table.Column<DateOnly>(type: "TEXT", nullable: true),
                    PhysicianId = table.Column<Guid>(type: "TEXT", nullable: false)
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
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    CaseId = table.Column<Guid>(type: "TEXT", nullable: false),
                    PhysicianId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ReviewerUserId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Role = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    Mode = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    Score = table.Column<int>(type: "INTEGER", nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    OfferedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    ExpiresAt = table.Column<long>(type: "INTEGER", nullable: false),
                    OfferedBy = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    ReplacesOfferId = table.Column<Guid>(type: "TEXT", nullable: true),
                    RespondedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    DeclineReason = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    Version = table.Column<int>(type: "INTEGER", nullable: false)
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
                    State = table.Column<string>(type: "TEXT", maxLength: 2, nullable: false),
                    Rule = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    Note = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    ChangedBy = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    ChangedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_StateRules", x => x.State);
                });

            migrationBuilder.CreateTable(
                name: "Stipends",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    PhysicianId = table.Column<Guid>(type: "TEXT", nullable: false),
                    CaseId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Role = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    Amount = table.Column<long>(type: "INTEGER", nullable: false),
                    EarnedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false)
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
            migrationBuilder.Sql("UPDATE \"Physicians\" SET \"Status\" = 'Active', \"WeeklyCapacity\" = 3, \"Languages\" = '[\"en\"]' WHERE \"Status\" = '';");
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
