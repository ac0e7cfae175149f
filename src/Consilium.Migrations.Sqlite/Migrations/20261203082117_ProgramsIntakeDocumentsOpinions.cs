using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Consilium.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class ProgramsIntakeDocumentsOpinions : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "CaseFee",
                table: "Programs",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<string>(
                name: "GovernanceText",
                table: "Programs",
                type: "TEXT",
                maxLength: 4000,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<long>(
                name: "PrimarySponsorShare",
                table: "Programs",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<int>(
                name: "SlaBusinessDaysToOpinion",
                table: "Programs",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<int>(
                name: "SlaDaysToCompletePacket",
                table: "Programs",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<int>(
                name: "SlaDaysToFirstContact",
                table: "Programs",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<DateOnly>(
                name: "CoverageEnd",
                table: "Members",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<DateOnly>(
                name: "CoverageStart",
                table: "Members",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Plan",
                table: "Members",
                type: "TEXT",
                maxLength: 100,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Relationship",
                table: "Members",
                type: "TEXT",
                maxLength: 40,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "SubscriberId",
                table: "Members",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ConsultMode",
                table: "Cases",
                type: "TEXT",
                maxLength: 40,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "DiagnosisCodes",
                table: "Cases",
                type: "TEXT",
                nullable: false,
                defaultValue: "[]");

            migrationBuilder.AddColumn<string>(
                name: "DiagnosisText",
                table: "Cases",
                type: "TEXT",
                maxLength: 2000,
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "FirstContactDueAt",
                table: "Cases",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "HeardVia",
                table: "Cases",
                type: "TEXT",
                maxLength: 40,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "OpinionBusinessDays",
                table: "Cases",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "PacketDueAt",
                table: "Cases",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "PhysicianContact",
                table: "Cases",
                type: "TEXT",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "PhysicianName",
                table: "Cases",
                type: "TEXT",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "PhysicianNpi",
                table: "Cases",
                type: "TEXT",
                maxLength: 10,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "PhysicianOrganization",
                table: "Cases",
                type: "TEXT",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "PreferredLanguage",
                table: "Cases",
                type: "TEXT",
                maxLength: 35,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Questions",
                table: "Cases",
                type: "TEXT",
                nullable: false,
                defaultValue: "[]");

            migrationBuilder.AddColumn<string>(
                name: "StateOfResidence",
                table: "Cases",
                type: "TEXT",
                maxLength: 2,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "TreatmentCodes",
                table: "Cases",
                type: "TEXT",
                nullable: false,
                defaultValue: "[]");

            migrationBuilder.AddColumn<string>(
                name: "TreatmentText",
                table: "Cases",
                type: "TEXT",
                maxLength: 2000,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Urgency",
                table: "Cases",
                type: "TEXT",
                maxLength: 40,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "Briefings",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    CaseId = table.Column<Guid>(type: "TEXT", nullable: false),
                    OpinionId = table.Column<Guid>(type: "TEXT", nullable: false),
                    BriefedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    Channel = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    Intent = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    Notes = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                    ByUserId = table.Column<Guid>(type: "TEXT", nullable: true),
                    ByName = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    RecordedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Briefings", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Briefings_Cases_CaseId",
                        column: x => x.CaseId,
                        principalTable: "Cases",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "Documents",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    CaseId = table.Column<Guid>(type: "TEXT", nullable: false),
                    BlobId = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Sha256 = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Length = table.Column<long>(type: "INTEGER", nullable: false),
                    Type = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    MediaType = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    FileName = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 40, nullable: true),
                    RecordItemId = table.Column<Guid>(type: "TEXT", nullable: true),
                    UploadedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    UploadedByUserId = table.Column<Guid>(type: "TEXT", nullable: true),
                    UploadedBy = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    UploadedByRole = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    PatientCheck = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    PatientCheckReason = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    SubjectName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    SubjectBirthDate = table.Column<string>(type: "TEXT", maxLength: 16, nullable: true),
                    PatientConfirmedBy = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    PatientConfirmedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    PatientConfirmationReason = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    Summary = table.Column<string>(type: "TEXT", nullable: false),
                    Version = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Documents", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Documents_Cases_CaseId",
                        column: x => x.CaseId,
                        principalTable: "Cases",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "GrantFunds",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    ProgramId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Balance = table.Column<long>(type: "INTEGER", nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    Version = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_GrantFunds", x => x.Id);
                    table.CheckConstraint("CK_GrantFunds_Balance", "\"Balance\" >= 0");
                    table.ForeignKey(
                        name: "FK_GrantFunds_Programs_ProgramId",
                        column: x => x.ProgramId,
                        principalTable: "Programs",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "NavigationTasks",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    CaseId = table.Column<Guid>(type: "TEXT", nullable: false),
                    OpinionId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Recommendation = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    Reason = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    Status = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    CoordinatorUserId = table.Column<Guid>(type: "TEXT", nullable: true),
                    ChosenProvider = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    ChosenProviderNpi = table.Column<string>(type: "TEXT", maxLength: 10, nullable: true),
                    ChosenFacility = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    MatchesRecommendation = table.Column<bool>(type: "INTEGER", nullable: true),
                    OpenedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    ClosedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    Events = table.Column<string>(type: "TEXT", maxLength: 200000, nullable: false),
                    Version = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_NavigationTasks", x => x.Id);
                    table.ForeignKey(
                        name: "FK_NavigationTasks_Cases_CaseId",
                        column: x => x.CaseId,
                        principalTable: "Cases",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "OpinionSlaEscalations",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    CaseId = table.Column<Guid>(type: "TEXT", nullable: false),
                    DueAt = table.Column<long>(type: "INTEGER", nullable: false),
                    EscalatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    Notified = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_OpinionSlaEscalations", x => x.Id);
                    table.ForeignKey(
                        name: "FK_OpinionSlaEscalations_Cases_CaseId",
                        column: x => x.CaseId,
                        principalTable: "Cases",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "Opinions",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    CaseId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Number = table.Column<int>(type: "INTEGER", nullable: true),
                    Status = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    AmendsOpinionId = table.Column<Guid>(type: "TEXT", nullable: true),
                    AmendmentReason = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    ContentJson = table.Column<string>(type: "TEXT", maxLength: 200000, nullable: false),
                    ContentSha256 = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    ReviewerUserId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ReviewerName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    ReviewerNpi = table.Column<string>(type: "TEXT", maxLength: 10, nullable: true),
                    ReviewerSpecialty = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    EducationalConsult = table.Column<bool>(type: "INTEGER", nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    SignedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    DiagnosisAgreement = table.Column<string>(type: "TEXT", maxLength: 40, nullable: true),
                    Confidence = table.Column<string>(type: "TEXT", maxLength: 40, nullable: true),
                    TreatmentAgreement = table.Column<string>(type: "TEXT", maxLength: 40, nullable: true),
                    SurgeryProposed = table.Column<bool>(type: "INTEGER", nullable: false),
                    SurgeryRecommended = table.Column<bool>(type: "INTEGER", nullable: false),
                    HospitalizationProposed = table.Column<bool>(type: "INTEGER", nullable: false),
                    HospitalizationRecommended = table.Column<bool>(type: "INTEGER", nullable: false),
                    SiteOfCare = table.Column<string>(type: "TEXT", maxLength: 40, nullable: true),
                    Urgency = table.Column<string>(type: "TEXT", maxLength: 40, nullable: true),
                    Version = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Opinions", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Opinions_Cases_CaseId",
                        column: x => x.CaseId,
                        principalTable: "Cases",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_Opinions_Opinions_AmendsOpinionId",
                        column: x => x.AmendsOpinionId,
                        principalTable: "Opinions",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "OutboxMessages",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    Payload = table.Column<string>(type: "TEXT", maxLength: 65536, nullable: false),
                    Summary = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    AvailableAt = table.Column<long>(type: "INTEGER", nullable: false),
                    LockedUntil = table.Column<long>(type: "INTEGER", nullable: true),
                    LockedBy = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    Attempts = table.Column<int>(type: "INTEGER", nullable: false),
                    LastError = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    SentAt = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_OutboxMessages", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "OutcomeFollowUps",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    CaseId = table.Column<Guid>(type: "TEXT", nullable: false),
                    OpinionId = table.Column<Guid>(type: "TEXT", nullable: false),
                    DayMark = table.Column<int>(type: "INTEGER", nullable: false),
                    DueOn = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    Followed = table.Column<string>(type: "TEXT", maxLength: 40, nullable: true),
                    Satisfaction = table.Column<int>(type: "INTEGER", nullable: true),
                    Notes = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    CompletedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    CompletedBy = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    Version = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_OutcomeFollowUps", x => x.Id);
                    table.ForeignKey(
                        name: "FK_OutcomeFollowUps_Cases_CaseId",
                        column: x => x.CaseId,
                        principalTable: "Cases",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "Payments",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    CaseId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Amount = table.Column<long>(type: "INTEGER", nullable: false),
                    Currency = table.Column<string>(type: "TEXT", maxLength: 3, nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    Method = table.Column<string>(type: "TEXT", maxLength: 40, nullable: true),
                    Reference = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    Provider = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    ProviderReference = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    PaidAt = table.Column<long>(type: "INTEGER", nullable: true),
                    RecordedByUserId = table.Column<Guid>(type: "TEXT", nullable: true),
                    RecordedBy = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    Version = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Payments", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Payments_Cases_CaseId",
                        column: x => x.CaseId,
                        principalTable: "Cases",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "ProgramCoSponsors",
                columns: table => new
                {
                    ProgramId = table.Column<Guid>(type: "TEXT", nullable: false),
                    SponsorId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Share = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ProgramCoSponsors", x => new { x.ProgramId, x.SponsorId });
                    table.ForeignKey(
                        name: "FK_ProgramCoSponsors_Programs_ProgramId",
                        column: x => x.ProgramId,
                        principalTable: "Programs",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_ProgramCoSponsors_Sponsors_SponsorId",
                        column: x => x.SponsorId,
                        principalTable: "Sponsors",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "ReferralKeys",
                columns: table => new
                {
                    ClientUserId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Key = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    RequestHash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    CaseId = table.Column<Guid>(type: "TEXT", nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ReferralKeys", x => new { x.ClientUserId, x.Key });
                    table.ForeignKey(
                        name: "FK_ReferralKeys_Cases_CaseId",
                        column: x => x.CaseId,
                        principalTable: "Cases",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_ReferralKeys_Users_ClientUserId",
                        column: x => x.ClientUserId,
                        principalTable: "Users",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "ReviewerNotes",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    CaseId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ReviewerUserId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Text = table.Column<string>(type: "TEXT", maxLength: 20000, nullable: false),
                    UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    Version = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ReviewerNotes", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ReviewerNotes_Cases_CaseId",
                        column: x => x.CaseId,
                        principalTable: "Cases",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "RosterImports",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    ProgramId = table.Column<Guid>(type: "TEXT", nullable: false),
                    FileName = table.Column<string>(type: "TEXT", maxLength: 260, nullable: false),
                    Format = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    Sha256 = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    ImportedBy = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    ImportedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    Records = table.Column<int>(type: "INTEGER", nullable: false),
                    Added = table.Column<int>(type: "INTEGER", nullable: false),
                    Changed = table.Column<int>(type: "INTEGER", nullable: false),
                    Terminated = table.Column<int>(type: "INTEGER", nullable: false),
                    Unchanged = table.Column<int>(type: "INTEGER", nullable: false),
                    Skipped = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RosterImports", x => x.Id);
                    table.ForeignKey(
                        name: "FK_RosterImports_Programs_ProgramId",
                        column: x => x.ProgramId,
                        principalTable: "Programs",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "ClinicalEntries",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    CaseId = table.Column<Guid>(type: "TEXT", nullable: false),
                    DocumentId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    ResourceType = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    ResourceId = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    OccurredAt = table.Column<long>(type: "INTEGER", nullable: true),
                    EndedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    CodeSystem = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    Code = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    Display = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 40, nullable: true),
                    Value = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    Category = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ClinicalEntries", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ClinicalEntries_Cases_CaseId",
                        column: x => x.CaseId,
                        principalTable: "Cases",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_ClinicalEntries_Documents_DocumentId",
                        column: x => x.DocumentId,
                        principalTable: "Documents",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "DocumentDicomInstances",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    Entry = table.Column<string>(type: "TEXT", maxLength: 260, nullable: true),
                    StudyInstanceUid = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    SeriesInstanceUid = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    SopInstanceUid = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    SopClassUid = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    TransferSyntaxUid = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Modality = table.Column<string>(type: "TEXT", maxLength: 16, nullable: true),
                    StudyDate = table.Column<string>(type: "TEXT", maxLength: 16, nullable: true),
                    StudyDescription = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    SeriesDescription = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    BodyPartExamined = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    AccessionNumber = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    SeriesNumber = table.Column<int>(type: "INTEGER", nullable: true),
                    InstanceNumber = table.Column<int>(type: "INTEGER", nullable: true),
                    NumberOfFrames = table.Column<int>(type: "INTEGER", nullable: true),
                    PatientName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    PatientId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    PatientBirthDate = table.Column<string>(type: "TEXT", maxLength: 16, nullable: true),
                    DocumentId = table.Column<Guid>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_DocumentDicomInstances", x => x.Id);
                    table.ForeignKey(
                        name: "FK_DocumentDicomInstances_Documents_DocumentId",
                        column: x => x.DocumentId,
                        principalTable: "Documents",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "GrantAwards",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    FundId = table.Column<Guid>(type: "TEXT", nullable: false),
                    CaseId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Amount = table.Column<long>(type: "INTEGER", nullable: false),
                    Refunded = table.Column<long>(type: "INTEGER", nullable: false),
                    AwardedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    AwardedBy = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    Version = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_GrantAwards", x => x.Id);
                    table.CheckConstraint("CK_GrantAwards_Refunded", "\"Refunded\" >= 0 AND \"Refunded\" <= \"Amount\"");
                    table.ForeignKey(
                        name: "FK_GrantAwards_Cases_CaseId",
                        column: x => x.CaseId,
                        principalTable: "Cases",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_GrantAwards_GrantFunds_FundId",
                        column: x => x.FundId,
                        principalTable: "GrantFunds",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "GrantFundEntries",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    FundId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    Amount = table.Column<long>(type: "INTEGER", nullable: false),
                    BalanceAfter = table.Column<long>(type: "INTEGER", nullable: false),
                    AwardId = table.Column<Guid>(type: "TEXT", nullable: true),
                    CaseId = table.Column<Guid>(type: "TEXT", nullable: true),
                    Note = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    ActorName = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    At = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_GrantFundEntries", x => x.Id);
                    table.ForeignKey(
                        name: "FK_GrantFundEntries_GrantFunds_FundId",
                        column: x => x.FundId,
                        principalTable: "GrantFunds",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "OpinionDeliveries",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    CaseId = table.Column<Guid>(type: "TEXT", nullable: false),
                    OpinionId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Channel = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    RecipientName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    RecipientEmail = table.Column<string>(type: "TEXT", maxLength: 254, nullable: true),
                    TokenHash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    ExpiresAt = table.Column<long>(type: "INTEGER", nullable: true),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    CreatedByUserId = table.Column<Guid>(type: "TEXT", nullable: true),
                    CreatedBy = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    RevokedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    RevocationReason = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    Downloads = table.Column<int>(type: "INTEGER", nullable: false),
                    FirstDownloadedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    LastDownloadedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    Version = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_OpinionDeliveries", x => x.Id);
                    table.ForeignKey(
                        name: "FK_OpinionDeliveries_Opinions_OpinionId",
                        column: x => x.OpinionId,
                        principalTable: "Opinions",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "OpinionReports",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    OpinionId = table.Column<Guid>(type: "TEXT", nullable: false),
                    CaseId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    BlobId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Sha256 = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Length = table.Column<long>(type: "INTEGER", nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_OpinionReports", x => x.Id);
                    table.ForeignKey(
                        name: "FK_OpinionReports_Opinions_OpinionId",
                        column: x => x.OpinionId,
                        principalTable: "Opinions",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Cases_CoordinatorUserId_Status",
                table: "Cases",
                columns: new[] { "CoordinatorUserId", "Status" });

            migrationBuilder.CreateIndex(
                name: "IX_Briefings_CaseId",
                table: "Briefings",
                column: "CaseId");

            migrationBuilder.CreateIndex(
                name: "IX_ClinicalEntries_CaseId_OccurredAt",
                table: "ClinicalEntries",
                columns: new[] { "CaseId", "OccurredAt" });

            migrationBuilder.CreateIndex(
                name: "IX_ClinicalEntries_DocumentId",
                table: "ClinicalEntries",
                column: "DocumentId");

            migrationBuilder.CreateIndex(
                name: "IX_DocumentDicomInstances_DocumentId",
                table: "DocumentDicomInstances",
                column: "DocumentId");

            migrationBuilder.CreateIndex(
                name: "IX_DocumentDicomInstances_SopInstanceUid",
                table: "DocumentDicomInstances",
                column: "SopInstanceUid");

            migrationBuilder.CreateIndex(
                name: "IX_Documents_BlobId",
                table: "Documents",
                column: "BlobId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Documents_CaseId_Sha256",
                table: "Documents",
                columns: new[] { "CaseId", "Sha256" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_GrantAwards_CaseId",
                table: "GrantAwards",
                column: "CaseId");

            migrationBuilder.CreateIndex(
                name: "IX_GrantAwards_FundId",
                table: "GrantAwards",
                column: "FundId");

            migrationBuilder.CreateIndex(
                name: "IX_GrantFundEntries_FundId_Id",
                table: "GrantFundEntries",
                columns: new[] { "FundId", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_GrantFunds_ProgramId",
                table: "GrantFunds",
                column: "ProgramId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_NavigationTasks_CaseId_Status",
                table: "NavigationTasks",
                columns: new[] { "CaseId", "Status" });

            migrationBuilder.CreateIndex(
                name: "IX_NavigationTasks_CoordinatorUserId_Status",
                table: "NavigationTasks",
                columns: new[] { "CoordinatorUserId", "Status" });

            migrationBuilder.CreateIndex(
                name: "IX_OpinionDeliveries_CaseId",
                table: "OpinionDeliveries",
                column: "CaseId");

            migrationBuilder.CreateIndex(
                name: "IX_OpinionDeliveries_OpinionId",
                table: "OpinionDeliveries",
                column: "OpinionId");

            migrationBuilder.CreateIndex(
                name: "IX_OpinionDeliveries_TokenHash",
                table: "OpinionDeliveries",
                column: "TokenHash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_OpinionReports_CaseId",
                table: "OpinionReports",
                column: "CaseId");

            migrationBuilder.CreateIndex(
                name: "IX_OpinionReports_OpinionId_Kind",
                table: "OpinionReports",
                columns: new[] { "OpinionId", "Kind" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_OpinionSlaEscalations_CaseId_DueAt",
                table: "OpinionSlaEscalations",
                columns: new[] { "CaseId", "DueAt" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Opinions_AmendsOpinionId",
                table: "Opinions",
                column: "AmendsOpinionId");

            migrationBuilder.CreateIndex(
                name: "IX_Opinions_CaseId_Number",
                table: "Opinions",
                columns: new[] { "CaseId", "Number" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Opinions_OneDraft",
                table: "Opinions",
                columns: new[] { "CaseId", "ReviewerUserId" },
                unique: true,
                filter: "\"Status\" = 'Draft'");

            migrationBuilder.CreateIndex(
                name: "IX_OutboxMessages_Status_AvailableAt",
                table: "OutboxMessages",
                columns: new[] { "Status", "AvailableAt" });

            migrationBuilder.CreateIndex(
                name: "IX_OutcomeFollowUps_CaseId_DayMark",
                table: "OutcomeFollowUps",
                columns: new[] { "CaseId", "DayMark" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_OutcomeFollowUps_Status_DueOn",
                table: "OutcomeFollowUps",
                columns: new[] { "Status", "DueOn" });

            migrationBuilder.CreateIndex(
                name: "IX_Payments_CaseId",
                table: "Payments",
                column: "CaseId");

            migrationBuilder.CreateIndex(
                name: "IX_Payments_Status",
                table: "Payments",
                column: "Status");

            migrationBuilder.CreateIndex(
                name: "IX_ProgramCoSponsors_SponsorId",
                table: "ProgramCoSponsors",
                column: "SponsorId");

            migrationBuilder.CreateIndex(
                name: "IX_ReferralKeys_CaseId",
                table: "ReferralKeys",
                column: "CaseId");

            migrationBuilder.CreateIndex(
                name: "IX_ReviewerNotes_CaseId_ReviewerUserId",
                table: "ReviewerNotes",
                columns: new[] { "CaseId", "ReviewerUserId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_RosterImports_ProgramId_ImportedAt",
                table: "RosterImports",
                columns: new[] { "ProgramId", "ImportedAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "Briefings");

            migrationBuilder.DropTable(
                name: "ClinicalEntries");

            migrationBuilder.DropTable(
                name: "DocumentDicomInstances");

            migrationBuilder.DropTable(
                name: "GrantAwards");

            migrationBuilder.DropTable(
                name: "GrantFundEntries");

            migrationBuilder.DropTable(
                name: "NavigationTasks");

            migrationBuilder.DropTable(
                name: "OpinionDeliveries");

            migrationBuilder.DropTable(
                name: "OpinionReports");

            migrationBuilder.DropTable(
                name: "OpinionSlaEscalations");

            migrationBuilder.DropTable(
                name: "OutboxMessages");

            migrationBuilder.DropTable(
                name: "OutcomeFollowUps");

            migrationBuilder.DropTable(
                name: "Payments");

            migrationBuilder.DropTable(
                name: "ProgramCoSponsors");

            migrationBuilder.DropTable(
                name: "ReferralKeys");

            migrationBuilder.DropTable(
                name: "ReviewerNotes");

            migrationBuilder.DropTable(
                name: "RosterImports");

            migrationBuilder.DropTable(
                name: "Documents");

            migrationBuilder.DropTable(
                name: "GrantFunds");

            migrationBuilder.DropTable(
                name: "Opinions");

            migrationBuilder.DropIndex(
                name: "IX_Cases_CoordinatorUserId_Status",
                table: "Cases");

            migrationBuilder.DropColumn(
                name: "CaseFee",
                table: "Programs");

            migrationBuilder.DropColumn(
                name: "GovernanceText",
                table: "Programs");

            migrationBuilder.DropColumn(
                name: "PrimarySponsorShare",
                table: "Programs");

            migrationBuilder.DropColumn(
                name: "SlaBusinessDaysToOpinion",
                table: "Programs");

            migrationBuilder.DropColumn(
                name: "SlaDaysToCompletePacket",
                table: "Programs");

            migrationBuilder.DropColumn(
                name: "SlaDaysToFirstContact",
                table: "Programs");

            migrationBuilder.DropColumn(
                name: "CoverageEnd",
                table: "Members");

            migrationBuilder.DropColumn(
                name: "CoverageStart",
                table: "Members");

            migrationBuilder.DropColumn(
                name: "Plan",
                table: "Members");

            migrationBuilder.DropColumn(
                name: "Relationship",
                table: "Members");

            migrationBuilder.DropColumn(
                name: "SubscriberId",
                table: "Members");

            migrationBuilder.DropColumn(
                name: "ConsultMode",
                table: "Cases");

            migrationBuilder.DropColumn(
                name: "DiagnosisCodes",
                table: "Cases");

            migrationBuilder.DropColumn(
                name: "DiagnosisText",
                table: "Cases");

            migrationBuilder.DropColumn(
                name: "FirstContactDueAt",
                table: "Cases");

            migrationBuilder.DropColumn(
                name: "HeardVia",
                table: "Cases");

            migrationBuilder.DropColumn(
                name: "OpinionBusinessDays",
                table: "Cases");

            migrationBuilder.DropColumn(
                name: "PacketDueAt",
                table: "Cases");

            migrationBuilder.DropColumn(
                name: "PhysicianContact",
                table: "Cases");

            migrationBuilder.DropColumn(
                name: "PhysicianName",
                table: "Cases");

            migrationBuilder.DropColumn(
                name: "PhysicianNpi",
                table: "Cases");

            migrationBuilder.DropColumn(
                name: "PhysicianOrganization",
                table: "Cases");

            migrationBuilder.DropColumn(
                name: "PreferredLanguage",
                table: "Cases");

            migrationBuilder.DropColumn(
                name: "Questions",
                table: "Cases");

            migrationBuilder.DropColumn(
                name: "StateOfResidence",
                table: "Cases");

            migrationBuilder.DropColumn(
                name: "TreatmentCodes",
                table: "Cases");

            migrationBuilder.DropColumn(
                name: "TreatmentText",
                table: "Cases");

            migrationBuilder.DropColumn(
                name: "Urgency",
                table: "Cases");
        }
    }
}
