using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Consilium.Migrations.Sqlite.Migrations
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
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    ProgramId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Source = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    ExternalCaseId = table.Column<string>(type: "TEXT", maxLength: 80, nullable: false),
                    CaseId = table.Column<Guid>(type: "TEXT", nullable: true),
                    MemberExternalId = table.Column<string>(type: "TEXT", maxLength: 80, nullable: true),
                    MemberId = table.Column<Guid>(type: "TEXT", nullable: true),
                    Category = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    FromTrigger = table.Column<bool>(type: "INTEGER", nullable: false),
                    RequestedOn = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    TriggeredOn = table.Column<DateOnly>(type: "TEXT", nullable: true),
                    PacketCompleteOn = table.Column<DateOnly>(type: "TEXT", nullable: true),
                    OpinionOn = table.Column<DateOnly>(type: "TEXT", nullable: true),
                    OpinionMonth = table.Column<int>(type: "INTEGER", nullable: true),
                    DaysToOpinion = table.Column<int>(type: "INTEGER", nullable: true),
                    DaysFromTrigger = table.Column<int>(type: "INTEGER", nullable: true),
                    DaysToPacket = table.Column<int>(type: "INTEGER", nullable: true),
                    DaysPacketToOpinion = table.Column<int>(type: "INTEGER", nullable: true),
                    SlaMet = table.Column<bool>(type: "INTEGER", nullable: true),
                    OriginalDx = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    ReviewerDx = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    DiagnosisAgreement = table.Column<string>(type: "TEXT", maxLength: 40, nullable: true),
                    TreatmentAgreement = table.Column<string>(type: "TEXT", maxLength: 40, nullable: true),
                    SurgeryProposed = table.Column<bool>(type: "INTEGER", nullable: false),
                    SurgeryRecommended = table.Column<bool>(type: "INTEGER", nullable: false),
                    HospitalizationProposed = table.Column<bool>(type: "INTEGER", nullable: false),
                    HospitalizationRecommended = table.Column<bool>(type: "INTEGER", nullable: false),
                    SiteOfCareChange = table.Column<bool>(type: "INTEGER", nullable: false),
                    OriginalPlanCents = table.Column<long>(type: "INTEGER", nullable: true),
                    RecommendedPlanCents = table.Column<long>(type: "INTEGER", nullable: true),
                    Satisfaction = table.Column<int>(type: "INTEGER", nullable: true),
                    RecommendationFollowed = table.Column<bool>(type: "INTEGER", nullable: true),
                    AgeBand = table.Column<string>(type: "TEXT", maxLength: 10, nullable: true),
                    Sex = table.Column<string>(type: "TEXT", maxLength: 20, nullable: true),
                    State = table.Column<string>(type: "TEXT", maxLength: 2, nullable: true),
                    Language = table.Column<string>(type: "TEXT", maxLength: 20, nullable: true),
                    TreatingNpi = table.Column<string>(type: "TEXT", maxLength: 10, nullable: true),
                    TreatingOrganization = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    RecordedAt = table.Column<long>(type: "INTEGER", nullable: false)
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
                    ProgramId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Key = table.Column<string>(type: "TEXT", maxLength: 60, nullable: false),
                    Cost = table.Column<long>(type: "INTEGER", precision: 14, scale: 2, nullable: false),
                    Label = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true)
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
