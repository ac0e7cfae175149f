using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Consilium.Migrations.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class CaseOutcomeIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_CaseOutcomes_ProgramId_OpinionOn",
                table: "CaseOutcomes");

            migrationBuilder.CreateIndex(
                name: "IX_CaseOutcomes_ProgramId_OpinionOn",
                table: "CaseOutcomes",
                columns: new[] { "ProgramId", "OpinionOn" })
                .Annotation("Npgsql:IndexInclude", new[] { "OpinionMonth", "DaysToOpinion", "DaysToPacket", "DaysFromTrigger" });

            migrationBuilder.CreateIndex(
                name: "IX_CaseOutcomes_ProgramId_RequestedOn",
                table: "CaseOutcomes",
                columns: new[] { "ProgramId", "RequestedOn" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_CaseOutcomes_ProgramId_OpinionOn",
                table: "CaseOutcomes");

            migrationBuilder.DropIndex(
                name: "IX_CaseOutcomes_ProgramId_RequestedOn",
                table: "CaseOutcomes");

            migrationBuilder.CreateIndex(
                name: "IX_CaseOutcomes_ProgramId_OpinionOn",
                table: "CaseOutcomes",
                columns: new[] { "ProgramId", "OpinionOn" });
        }
    }
}
