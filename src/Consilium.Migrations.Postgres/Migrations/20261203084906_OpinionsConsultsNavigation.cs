using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Consilium.Migrations.Postgres.Migrations
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
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    ReviewerUserId = table.Column<Guid>(type: "uuid", nullable: false),
                    StartsAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    EndsAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ReviewerTimeZone = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Status = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    CaseId = table.Column<Guid>(type: "uuid", nullable: true),
                    MemberTimeZone = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    BookedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    MeetingUrl = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    ReminderSentAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    Notes = table.Column<string>(type: "character varying(8000)", maxLength: 8000, nullable: true),
                    NotesAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    CancelledAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    CancelReason = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    Version = table.Column<int>(type: "integer", nullable: false)
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
            migrationBuilder.Sql("""
                CREATE FUNCTION consilium_signed_opinion_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF TG_TABLE_NAME = 'OpinionReports' OR OLD."Status" = 'Signed' THEN
                        RAISE EXCEPTION 'a signed opinion and its reports are immutable: % on % refused', TG_OP, TG_TABLE_NAME;
                    END IF;
                    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
                    RETURN NEW;
                END $$;
                """);
            migrationBuilder.Sql("CREATE TRIGGER \"Opinions_signed_immutable\" BEFORE UPDATE OR DELETE ON \"Opinions\" FOR EACH ROW EXECUTE FUNCTION consilium_signed_opinion_immutable();");
            migrationBuilder.Sql("CREATE TRIGGER \"OpinionReports_immutable\" BEFORE UPDATE OR DELETE ON \"OpinionReports\" FOR EACH ROW EXECUTE FUNCTION consilium_signed_opinion_immutable();");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP FUNCTION IF EXISTS consilium_signed_opinion_immutable() CASCADE;");

            migrationBuilder.DropTable(
                name: "ConsultSlots");
        }
    }
}
