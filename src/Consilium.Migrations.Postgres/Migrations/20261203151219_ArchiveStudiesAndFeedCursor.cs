using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Consilium.Migrations.Postgres.Migrations
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
                    Id = table.Column<int>(type: "integer", nullable: false),
                    Sequence = table.Column<long>(type: "bigint", nullable: false),
                    LockedBy = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    LockedUntil = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ArchiveFeedCursor", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "ArchiveStudies",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    OrthancId = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    StudyInstanceUid = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    AccessionNumber = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    PatientId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    PatientName = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    PatientBirthDate = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: true),
                    PatientSex = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: true),
                    StudyDate = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: true),
                    StudyDescription = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    SeriesCount = table.Column<int>(type: "integer", nullable: false),
                    FeedSequence = table.Column<long>(type: "bigint", nullable: false),
                    ReceivedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    Status = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    CaseId = table.Column<Guid>(type: "uuid", nullable: true),
                    MatchedBy = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: true),
                    Reason = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: false),
                    ResolvedByUserId = table.Column<Guid>(type: "uuid", nullable: true),
                    ResolvedBy = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    ResolvedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    Version = table.Column<int>(type: "integer", nullable: false)
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
