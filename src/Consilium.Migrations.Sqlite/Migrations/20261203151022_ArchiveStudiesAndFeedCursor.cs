using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Consilium.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class ArchiveStudiesAndFeedCursor : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "ArchiveFeedCursor",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false),
                    Sequence = table.Column<long>(type: "INTEGER", nullable: false),
                    LockedBy = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    LockedUntil = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ArchiveFeedCursor", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "ArchiveStudies",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    OrthancId = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    StudyInstanceUid = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    AccessionNumber = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    PatientId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    PatientName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    PatientBirthDate = table.Column<string>(type: "TEXT", maxLength: 16, nullable: true),
                    PatientSex = table.Column<string>(type: "TEXT", maxLength: 16, nullable: true),
                    StudyDate = table.Column<string>(type: "TEXT", maxLength: 16, nullable: true),
                    StudyDescription = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    SeriesCount = table.Column<int>(type: "INTEGER", nullable: false),
                    FeedSequence = table.Column<long>(type: "INTEGER", nullable: false),
                    ReceivedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    CaseId = table.Column<Guid>(type: "TEXT", nullable: true),
                    MatchedBy = table.Column<string>(type: "TEXT", maxLength: 40, nullable: true),
                    Reason = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    ResolvedByUserId = table.Column<Guid>(type: "TEXT", nullable: true),
                    ResolvedBy = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    ResolvedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    Version = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ArchiveStudies", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ArchiveStudies_Cases_CaseId",
                        column: x => x.CaseId,
                        principalTable: "Cases",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.InsertData(
                table: "ArchiveFeedCursor",
                columns: new[] { "Id", "LockedBy", "LockedUntil", "Sequence" },
                values: new object[] { 1, null, null, -1L });

            migrationBuilder.CreateIndex(
                name: "IX_ArchiveStudies_CaseId",
                table: "ArchiveStudies",
                column: "CaseId");

            migrationBuilder.CreateIndex(
                name: "IX_ArchiveStudies_Status_ReceivedAt",
                table: "ArchiveStudies",
                columns: new[] { "Status", "ReceivedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_ArchiveStudies_StudyInstanceUid",
                table: "ArchiveStudies",
                column: "StudyInstanceUid",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ArchiveFeedCursor");

            migrationBuilder.DropTable(
                name: "ArchiveStudies");
        }
    }
}
