using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Consilium.Migrations.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class DisabilityEpisodes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "DisabilityEpisodes",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    ProgramId = table.Column<Guid>(type: "uuid", nullable: false),
                    EpisodeId = table.Column<string>(type: "character varying(80)", maxLength: 80, nullable: false),
                    MemberExternalId = table.Column<string>(type: "character varying(80)", maxLength: 80, nullable: false),
                    StartOn = table.Column<DateOnly>(type: "date", nullable: false),
                    ReturnToWorkOn = table.Column<DateOnly>(type: "date", nullable: true),
                    DaysAway = table.Column<int>(type: "integer", nullable: false),
                    Reason = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    RecordedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_DisabilityEpisodes", x => x.Id);
                    table.ForeignKey(
                        name: "FK_DisabilityEpisodes_Programs_ProgramId",
                        column: x => x.ProgramId,
                        principalTable: "Programs",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_DisabilityEpisodes_ProgramId_EpisodeId",
                table: "DisabilityEpisodes",
                columns: new[] { "ProgramId", "EpisodeId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_DisabilityEpisodes_ProgramId_MemberExternalId_StartOn",
                table: "DisabilityEpisodes",
                columns: new[] { "ProgramId", "MemberExternalId", "StartOn" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "DisabilityEpisodes");
        }
    }
}
