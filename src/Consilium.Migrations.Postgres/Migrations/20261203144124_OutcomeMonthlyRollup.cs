using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Consilium.Migrations.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class OutcomeMonthlyRollup : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "OutcomeDayCounts",
                columns: table => new
                {
                    ProgramId = table.Column<Guid>(type: "uuid", nullable: false),
                    Kind = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    Month = table.Column<int>(type: "integer", nullable: false),
                    Days = table.Column<int>(type: "integer", nullable: false),
                    Days2 = table.Column<int>(type: "integer", nullable: false),
                    Count = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_OutcomeDayCounts", x => new { x.ProgramId, x.Month, x.Kind, x.Days, x.Days2 });
                    table.ForeignKey(
                        name: "FK_OutcomeDayCounts_Programs_ProgramId",
                        column: x => x.ProgramId,
                        principalTable: "Programs",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "OutcomeMonths",
                columns: table => new
                {
                    ProgramId = table.Column<Guid>(type: "uuid", nullable: false),
                    Category = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    Month = table.Column<int>(type: "integer", nullable: false),
                    Cases = table.Column<int>(type: "integer", nullable: false),
                    DxChanged = table.Column<int>(type: "integer", nullable: false),
                    TxChanged = table.Column<int>(type: "integer", nullable: false),
                    AnyChanged = table.Column<int>(type: "integer", nullable: false),
                    SurgeryProposed = table.Column<int>(type: "integer", nullable: false),
                    SurgeryAlternative = table.Column<int>(type: "integer", nullable: false),
                    HospitalizationProposed = table.Column<int>(type: "integer", nullable: false),
                    HospitalizationRecommended = table.Column<int>(type: "integer", nullable: false),
                    SiteChanged = table.Column<int>(type: "integer", nullable: false),
                    SlaKnown = table.Column<int>(type: "integer", nullable: false),
                    SlaMet = table.Column<int>(type: "integer", nullable: false),
                    Responses = table.Column<int>(type: "integer", nullable: false),
                    Promoters = table.Column<int>(type: "integer", nullable: false),
                    Detractors = table.Column<int>(type: "integer", nullable: false),
                    FollowKnown = table.Column<int>(type: "integer", nullable: false),
                    Followed = table.Column<int>(type: "integer", nullable: false),
                    Priced = table.Column<int>(type: "integer", nullable: false),
                    SavingsCents = table.Column<long>(type: "bigint", nullable: false),
                    HighCost = table.Column<int>(type: "integer", nullable: false),
                    HighCostSavingsCents = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_OutcomeMonths", x => new { x.ProgramId, x.Month, x.Category });
                    table.ForeignKey(
                        name: "FK_OutcomeMonths_Programs_ProgramId",
                        column: x => x.ProgramId,
                        principalTable: "Programs",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "OutcomeRollupStates",
                columns: table => new
                {
                    ProgramId = table.Column<Guid>(type: "uuid", nullable: false),
                    BuiltAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_OutcomeRollupStates", x => x.ProgramId);
                    table.ForeignKey(
                        name: "FK_OutcomeRollupStates_Programs_ProgramId",
                        column: x => x.ProgramId,
                        principalTable: "Programs",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "OutcomeDayCounts");

            migrationBuilder.DropTable(
                name: "OutcomeMonths");

            migrationBuilder.DropTable(
                name: "OutcomeRollupStates");
        }
    }
}
