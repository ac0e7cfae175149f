using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Consilium.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class OpinionsConsultsNavigation : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "ConsultSlots",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    ReviewerUserId = table.Column<Guid>(type: "TEXT", nullable: false),
                    StartsAt = table.Column<long>(type: "INTEGER", nullable: false),
                    EndsAt = table.Column<long>(type: "INTEGER", nullable: false),
                    ReviewerTimeZone = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    CaseId = table.Column<Guid>(type: "TEXT", nullable: true),
                    MemberTimeZone = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    BookedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    MeetingUrl = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    ReminderSentAt = table.Column<long>(type: "INTEGER", nullable: true),
                    Notes = table.Column<string>(type: "TEXT", maxLength: 8000, nullable: true),
                    NotesAt = table.Column<long>(type: "INTEGER", nullable: true),
                    CancelledAt = table.Column<long>(type: "INTEGER", nullable: true),
                    CancelReason = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    Version = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ConsultSlots", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ConsultSlots_Cases_CaseId",
                        column: x => x.CaseId,
                        principalTable: "Cases",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_ConsultSlots_CaseId_Status",
                table: "ConsultSlots",
                columns: new[] { "CaseId", "Status" });

            migrationBuilder.CreateIndex(
                name: "IX_ConsultSlots_ReviewerUserId_StartsAt",
                table: "ConsultSlots",
                columns: new[] { "ReviewerUserId", "StartsAt" });

            migrationBuilder.CreateIndex(
                name: "IX_ConsultSlots_Status_StartsAt",
                table: "ConsultSlots",
                columns: new[] { "Status", "StartsAt" });

            // A signed opinion is locked: the database refuses to change or remove it, whatever the application does.
            migrationBuilder.Sql("CREATE TRIGGER \"Opinions_signed_no_update\" BEFORE UPDATE ON \"Opinions\" WHEN OLD.\"Status\" = 'Signed' BEGIN SELECT RAISE(ABORT, 'a signed opinion is immutable: UPDATE refused'); END;");
            migrationBuilder.Sql("CREATE TRIGGER \"Opinions_signed_no_delete\" BEFORE DELETE ON \"Opinions\" WHEN OLD.\"Status\" = 'Signed' BEGIN SELECT RAISE(ABORT, 'a signed opinion is immutable: DELETE refused'); END;");
            migrationBuilder.Sql("CREATE TRIGGER \"OpinionReports_no_update\" BEFORE UPDATE ON \"OpinionReports\" BEGIN SELECT RAISE(ABORT, 'a delivered report is immutable: UPDATE refused'); END;");
            migrationBuilder.Sql("CREATE TRIGGER \"OpinionReports_no_delete\" BEFORE DELETE ON \"OpinionReports\" BEGIN SELECT RAISE(ABORT, 'a delivered report is immutable: DELETE refused'); END;");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            foreach (var trigger in new[] { "Opinions_signed_no_update", "Opinions_signed_no_delete", "OpinionReports_no_update", "OpinionReports_no_delete" })
                migrationBuilder.Sql($"DROP TRIGGER IF EXISTS \"{trigger}\";");

            migrationBuilder.DropTable(
                name: "ConsultSlots");
        }
    }
}
