using System.Security.Cryptography;
using Consilium.Features.Cases;
using Consilium.Features.Consents;
using Consilium.Features.Eligibility;
using Consilium.Features.Funding;
using Consilium.Features.Identity;
using Consilium.Features.Members;
using Consilium.Features.Physicians;
using Consilium.Features.Programs;
using Consilium.Features.Records;
using Consilium.Features.Sponsors;
using Consilium.Infrastructure.Persistence;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Consilium.Features.Demo;

public sealed class DemoOptions
{
    public const string Section = "Demo";

    /// <summary>Seed on start: defaults to on in the embedded mode, off on PostgreSQL (use ./consilium seed-demo).</summary>
    public bool? SeedOnStart { get; set; }

    /// <summary>The demo users' password. When empty a random one is generated and printed once.</summary>
    public string? Password { get; set; }
}

public sealed record DemoLogin(string Role, string Email);

/// <summary>
/// The demo programs, reviewers, members and cases. Idempotent: it does nothing once the demo sponsor exists.
/// All people here are fictional.
/// </summary>
public sealed class DemoSeeder(
    ConsiliumDbContext db,
    UserManager<AppUser> users,
    RoleManager<AppRole> roles,
    CurrentActor actor,
    TimeProvider clock,
    DatabaseSettings database,
    Microsoft.Extensions.Options.IOptions<DemoOptions> options,
    RosterHandlers rosters)
{
    public const string EmailDomain = "demo.consilium.test";
    const string MarkerSponsor = "Northwind Manufacturing";

    public bool SeedOnStart => options.Value.SeedOnStart ?? database.IsEmbedded;

    public static string EmailFor(string role) => $"{role}@{EmailDomain}";

    /// <summary>Seeds and, the one time it does, prints the logins. Later runs print nothing.</summary>
    public async Task SeedAndAnnounceAsync(TextWriter output, CancellationToken ct)
    {
        var password = string.IsNullOrEmpty(options.Value.Password) ? NewPassword() : options.Value.Password;
        var logins = await SeedAsync(password, ct);
        if (logins.Count == 0) return;
        output.WriteLine();
        output.WriteLine("Demo data created. These logins are shown once; the password is stored only as a hash:");
        output.WriteLine();
        foreach (var login in logins) output.WriteLine($"  {login.Role,-16} {login.Email}");
        output.WriteLine();
        output.WriteLine($"  password for all of them: {password}");
        output.WriteLine();
        output.WriteLine("  Scripts can get a bearer token instead: ./consilium token --user coordinator@" + EmailDomain);
        output.WriteLine();
    }

    /// <summary>Returns the logins created, or nothing when the demo was already there.</summary>
    public async Task<IReadOnlyList<DemoLogin>> SeedAsync(string password, CancellationToken ct)
    {
        await EnsureRolesAsync();
        if (await db.Sponsors.AnyAsync(s => s.Name == MarkerSponsor, ct)) return [];

        actor.Use(Actor.System("demo seed"), "system");
        var now = clock.GetUtcNow();

        var northwind = Sponsor.Create(MarkerSponsor, SponsorKind.Employer, now);
        var fabrikam = Sponsor.Create("Fabrikam Stop-Loss Re", SponsorKind.StopLossCarrier, now);
        var contoso = Sponsor.Create("Contoso Health Plan", SponsorKind.HealthPlan, now);
        var riverside = Sponsor.Create("Riverside University Hospital", SponsorKind.Hospital, now);
        db.Sponsors.AddRange(northwind, fabrikam, contoso, riverside);

        // Northwind's stop-loss carrier pays a fifth of each case: the co-sponsorship a program can have.
        var employerProgram = CareProgram.Create(new ProgramSettings("Northwind Expert Opinion", northwind.Id, FundingModel.SponsorPaid, null,
            Enum.GetValues<ConditionCategory>(), 1800m, new SlaTargets(2, 7, 5),
            "Northwind Manufacturing offers every employee and covered family member a free expert second opinion before a major " +
            "treatment decision. Taking part is voluntary and does not change your benefits; your employer never sees your medical information.",
            [new CostShare(fabrikam.Id, 20m)]), now);
        var planProgram = CareProgram.Create(new ProgramSettings("Contoso Health Second Opinion", contoso.Id, FundingModel.SponsorPaid, null,
            [ConditionCategory.Oncology, ConditionCategory.Musculoskeletal, ConditionCategory.Spine, ConditionCategory.Cardiac, ConditionCategory.Neurological],
            1500m, new SlaTargets(3, 10, 5),
            "Contoso Health members can ask a leading specialist to review a diagnosis or a recommended surgery, at no cost to them."), now);
        var hospitalProgram = CareProgram.Create(new ProgramSettings("Riverside Second Opinion", riverside.Id, FundingModel.SelfPay, 750m,
            [ConditionCategory.Oncology, ConditionCategory.Cardiac, ConditionCategory.Neurological, ConditionCategory.RareDisease],
            0m, new SlaTargets(1, 7, 3),
            "Riverside University Hospital's specialists review your records and answer your questions in writing, for a set price of $750."), now);
        var grantProgram = CareProgram.Create(new ProgramSettings("Riverside Community Second Opinion", riverside.Id, FundingModel.GrantFund, null,
            [ConditionCategory.Oncology, ConditionCategory.RareDisease], 0m, new SlaTargets(2, 10, 5),
            "For patients who could not otherwise afford one, the Riverside Foundation pays for an expert opinion from its charitable fund, while it lasts."), now);
        db.Programs.AddRange(employerProgram, planProgram, hospitalProgram, grantProgram);
        var fund = GrantFund.Open(grantProgram.Id, "Riverside Foundation fund", now);
        db.Add(fund);
        db.Add(fund.Contribute(25_000m, "Riverside Foundation annual grant", Actor.System("demo seed"), now));

        // A realistic network: each reviewer keeps 12 to 15 state licences, a few of them due for renewal within 30 or 90
        // days; WA has no licensed cardiologist, so a cardiac case there becomes an educational consult.
        var reviewers = new[]
        {
            Reviewer("Dr. Maya Okafor", "124531959", "Orthopaedic Surgery", "Spine Surgery", 4, 650m, ["en", "fr"], ["Lakeshore Spine Institute"], true,
                now, "OH", "PA", "MI", "IN", "NY", "CA", "TX", "FL", "IL", "WI", "KY", "TN", "NJ"),
            Reviewer("Dr. Samuel Lindqvist", "167957672", "Medical Oncology", "Breast Oncology", 3, 700m, ["en", "sv"], ["Northeast Cancer Alliance"], true,
                now, "NY", "NJ", "CT", "MA", "PA", "OH", "MI", "IL", "CA", "TX", "FL", "GA", "NC", "VA"),
            Reviewer("Dr. Priya Raman", "186142719", "Cardiology", "Interventional Cardiology", 3, 600m, ["en", "hi", "ta"], ["Buckeye Heart Partners"], true,
                now, "OH", "KY", "TN", "TX", "GA", "NC", "SC", "FL", "AL", "IN", "MI", "PA"),
            Reviewer("Dr. Tomás Herrera", "101399841", "Neurology", "Movement Disorders", 2, 550m, ["en", "es"], ["Pacific Neurology Group"], false,
                now, "CA", "AZ", "NV", "WA", "OR", "CO", "NM", "UT", "TX", "ID", "MT", "WY", "HI"),
            Reviewer("Dr. Grace Adeyemi", "132847561", "Neurological Surgery", "Spine Neurosurgery", 3, 700m, ["en", "yo"], ["Riverside Orthopedics"], true,
                now, "OH", "PA", "NY", "NJ", "MD", "VA", "DC", "DE", "WV", "KY", "IN", "MI", "IL", "WI", "MN"),
            Reviewer("Dr. Daniel Cho", "145629837", "Orthopaedic Surgery", "Adult Reconstruction", 5, 500m, ["en", "ko"], ["Summit Joint Center"], true,
                now, "CA", "WA", "OR", "NV", "AZ", "TX", "CO", "UT", "IL", "NY", "FL", "GA", "MA"),
            Reviewer("Dr. Elena Petrova", "157382946", "Medical Oncology", "Thoracic Oncology", 3, 700m, ["en", "ru"], [], true,
                now, "FL", "GA", "NC", "SC", "VA", "TN", "AL", "MS", "LA", "TX", "OH", "PA", "NY", "WA"),
            Reviewer("Dr. Marcus Whitaker", "163829475", "Urology", "Urologic Oncology", 2, 650m, ["en"], ["Great Lakes Urology"], true,
                now, "MI", "OH", "IN", "IL", "WI", "MN", "IA", "MO", "NY", "NJ", "PA", "TX", "CA"),
            Reviewer("Dr. Lucía Fernández", "171938264", "Thoracic and Cardiac Surgery", "Cardiac Surgery", 2, 800m, ["en", "es", "pt"], ["Gulf Coast Heart Hospital"], true,
                now, "TX", "LA", "OK", "NM", "AZ", "FL", "GA", "OH", "PA", "NY", "NJ", "CA"),
            Reviewer("Dr. Hiroshi Tanaka", "182736495", "Cardiology", "Electrophysiology", 3, 600m, ["en", "ja"], [], true,
                now, "CA", "OR", "NV", "AZ", "TX", "OH", "MI", "PA", "NY", "NJ", "MA", "FL"),
            Reviewer("Dr. Amara Nwosu", "193847562", "Neurology", "Epilepsy", 3, 550m, ["en", "ig"], ["Midwest Epilepsy Center"], true,
                now, "IN", "OH", "MI", "IL", "WI", "KY", "TN", "MO", "IA", "MN", "PA", "NY", "GA"),
            Reviewer("Dr. Rachel Goldberg", "112938475", "Medical Genetics and Genomics", "Rare and Undiagnosed Disease", 2, 750m, ["en", "he"], [], true,
                now, "MA", "NY", "NJ", "CT", "RI", "NH", "VT", "ME", "PA", "OH", "CA", "WA", "FL", "TX"),
        };
        db.Physicians.AddRange(reviewers);

        var people = new (string First, string Last, string Dob, Sex Sex, string State, CareProgram Program)[]
        {
            ("Jordan", "Avery", "1971-04-12", Sex.Female, "OH", employerProgram),
            ("Marcus", "Bell", "1965-09-30", Sex.Male, "OH", employerProgram),
            ("Elena", "Castillo", "1983-01-22", Sex.Female, "PA", employerProgram),
            ("Dmitri", "Novak", "1958-11-05", Sex.Male, "MI", employerProgram),
            ("Aisha", "Karimi", "1990-06-18", Sex.Female, "IN", employerProgram),
            ("Thomas", "Whitfield", "1949-02-27", Sex.Male, "NY", planProgram),
            ("Grace", "Liu", "1976-08-09", Sex.Female, "NJ", planProgram),
            ("Samuel", "Ortega", "1968-12-14", Sex.Male, "TX", planProgram),
            ("Hannah", "Brooks", "1987-03-03", Sex.Female, "CA", planProgram),
            ("Victor", "Mensah", "1955-07-21", Sex.Male, "GA", hospitalProgram),
            ("Ruth", "Feldman", "1962-10-11", Sex.Female, "FL", hospitalProgram),
            ("Kenji", "Watanabe", "1979-05-29", Sex.Male, "WA", hospitalProgram),
        };
        var members = people.Select((p, i) => Member.Enroll(p.Program.Id, $"DEMO{i + 1:0000}", p.First, p.Last, DateOnly.Parse(p.Dob),
            p.Sex, p.State, $"{p.First.ToLowerInvariant()}.{p.Last.ToLowerInvariant()}@example.test", null, "en", now)).ToArray();
        db.Members.AddRange(members);
        await db.SaveChangesAsync(ct);

        var logins = new List<DemoLogin>();
        async Task<AppUser> User(string role, string name, Action<AppUser>? link = null)
        {
            var user = new AppUser
            {
                Id = Guid.CreateVersion7(), UserName = EmailFor(role), Email = EmailFor(role), EmailConfirmed = true,
                DisplayName = name, CreatedAt = now, LockoutEnabled = true,
                // Demo accounts only: the pilot can be tried without an authenticator app (docs/security.md).
                MfaExempt = true,
            };
            link?.Invoke(user);
            Check(await users.CreateAsync(user, password));
            Check(await users.AddToRoleAsync(user, role));
            logins.Add(new DemoLogin(role, user.Email!));
            return user;
        }

        var patient = await User(Roles.Patient, "Jordan Avery", u => u.MemberId = members[0].Id);
        var coordinator = await User(Roles.Coordinator, "Nurse Casey Morgan");
        var reviewer = await User(Roles.Reviewer, reviewers[0].Name, u => u.PhysicianId = reviewers[0].Id);
        reviewers[0].LinkUser(reviewer.Id);
        var admin = await User(Roles.ProgramAdmin, "Pat Lee (program admin)");
        await User(Roles.SponsorAnalyst, "Robin Shah (Northwind benefits)", u => u.SponsorId = northwind.Id);
        await User(Roles.Auditor, "Morgan Reyes (privacy officer)");
        var integration = await User(Roles.Integration, "Contoso Health referral feed");
        _ = patient;

        foreach (var program in new[] { employerProgram, planProgram, hospitalProgram, grantProgram })
        {
            db.ProgramStaff.Add(new ProgramStaff(program.Id, coordinator.Id));
            db.ProgramStaff.Add(new ProgramStaff(program.Id, admin.Id));
        }
        db.ProgramStaff.Add(new ProgramStaff(planProgram.Id, integration.Id));

        var coordinatorActor = new Actor(coordinator.Id, coordinator.UserName!, Roles.Coordinator);
        var reviewerActor = new Actor(reviewer.Id, reviewer.UserName!, Roles.Reviewer);
        var plans = new (int Member, ConditionCategory Category, string Concern, CaseStatus Stage, CaseStatus? Then)[]
        {
            (0, ConditionCategory.Spine, "Surgeon recommends L4-L5 spinal fusion after 8 months of low back pain; wants to know whether surgery is needed now.", CaseStatus.InReview, null),
            (1, ConditionCategory.Cardiac, "Cardiologist proposes CABG; member asks whether stenting is an option.", CaseStatus.CollectingRecords, null),
            (2, ConditionCategory.Oncology, "New diagnosis of invasive ductal carcinoma; treatment plan proposes mastectomy.", CaseStatus.AwaitingConsent, null),
            (3, ConditionCategory.Musculoskeletal, "Total knee replacement scheduled next month; member unsure about alternatives.", CaseStatus.Referred, null),
            (4, ConditionCategory.Neurological, "Recurring seizures despite two medications; neurologist suggests surgical evaluation.", CaseStatus.Intake, null),
            (5, ConditionCategory.Oncology, "Prostate cancer, Gleason 7; choosing between prostatectomy and radiation.", CaseStatus.ReadyForReview, null),
            (6, ConditionCategory.Spine, "Cervical disc herniation; surgeon recommends anterior cervical discectomy and fusion.", CaseStatus.Assigned, null),
            (7, ConditionCategory.Cardiac, "Atrial fibrillation; ablation proposed after failed rate control.", CaseStatus.OpinionDelivered, null),
            (8, ConditionCategory.Musculoskeletal, "Hip replacement recommended for osteoarthritis at 38.", CaseStatus.Closed, null),
            (9, ConditionCategory.Oncology, "Lung nodule found on CT; biopsy versus surveillance.", CaseStatus.CollectingRecords, CaseStatus.OnHold),
            (10, ConditionCategory.Cardiac, "Mitral valve repair versus replacement.", CaseStatus.Intake, CaseStatus.Withdrawn),
            (11, ConditionCategory.RareDisease, "Suspected amyloidosis; diagnosis unclear after three specialists.", CaseStatus.Referred, CaseStatus.Ineligible),
        };

        var path = new[]
        {
            CaseStatus.Referred, CaseStatus.Intake, CaseStatus.AwaitingConsent, CaseStatus.CollectingRecords, CaseStatus.ReadyForReview,
            CaseStatus.Assigned, CaseStatus.InReview, CaseStatus.OpinionDelivered, CaseStatus.Closed,
        };
        for (var i = 0; i < plans.Length; i++)
        {
            var plan = plans[i];
            var member = members[plan.Member];
            var at = now - TimeSpan.FromDays(30 - i * 2);
            var program = new[] { employerProgram, planProgram, hospitalProgram }.Single(p => p.Id == member.ProgramId);
            var intake = new CaseIntake(i < 3 ? DemoQuestions[i] : [], [], null, [], null, null, Urgency.Routine, "en", member.State,
                i % 3 == 0 ? ReferralSource.Trigger : ReferralSource.Physician);
            var @case = Case.Open(member.ProgramId, member.Id, plan.Category, i % 3 == 0 ? IntakeChannel.Trigger : IntakeChannel.Coordinator,
                plan.Concern, CaseStatus.Referred, coordinatorActor, at, coordinator.Id, intake, program.Sla);
            foreach (var stage in path[1..(Array.IndexOf(path, plan.Stage) + 1)])
            {
                at += TimeSpan.FromHours(4 + (i * 7 + (int)stage * 13) % 44);
                if (stage == CaseStatus.CollectingRecords)
                {
                    // Past the consent stage a case has its member's authorization, naming the reviewing physician: without
                    // it the demo reviewer could not open the demo cases' records or workspace.
                    db.Add(Consent.Sign(@case.Id, member.Id, [RecordCategory.Imaging, RecordCategory.ClinicalNotes, RecordCategory.TreatmentHistory],
                        ["Riverside Medical Center"], ConsentRecipients.Program | ConsentRecipients.ReviewingPhysician, null,
                        DateOnly.FromDateTime(now.UtcDateTime).AddDays(365), member.DisplayName, member.DisplayName,
                        plan.Member == 0 ? patient.Id : null, "demo data", at));
                }
                if (stage == CaseStatus.Assigned) @case.AssignReviewer(reviewer.Id, at);
                var by = stage is CaseStatus.InReview or CaseStatus.OpinionDelivered ? reviewerActor : coordinatorActor;
                @case.TransitionTo(stage, by, null, at);
            }
            if (plan.Then is { } then)
            {
                at += TimeSpan.FromHours(6);
                var reason = then switch
                {
                    CaseStatus.OnHold => "Member in hospital; resume after discharge",
                    CaseStatus.Withdrawn => "Member decided to proceed with the local plan",
                    _ => "Not covered: coverage ended before the request",
                };
                @case.TransitionTo(then, coordinatorActor, reason, at);
            }
            db.Cases.Add(@case);
            if (program.Funding == FundingModel.SelfPay && plan.Then is null or CaseStatus.OnHold)
            {
                var payment = Payment.Request(@case.Id, program.MemberPrice, "offline", at);
                payment.MarkPaid(PaymentMethod.Check, "1042", new Actor(admin.Id, admin.UserName!, Roles.ProgramAdmin), at);
                db.Add(payment);
            }
        }
        await db.SaveChangesAsync(ct);

        // The sponsors' eligibility files, through the same importer a program admin uses: they add coverage to the members
        // above and bring members who have not asked for anything yet (DEMO0013 can try the self-request; DEMO0014's
        // coverage has ended).
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        await ImportRosterAsync(employerProgram.Id, "northwind-roster.csv", people.Take(5).Select((p, i) => Row(i, p.First, p.Last, p.Dob, p.Sex, p.State, "Northwind PPO", null))
            .Append(Row(12, "Lena", "Park", "1981-02-14", Sex.Female, "OH", "Northwind PPO", null))
            .Append(Row(13, "Oscar", "Diaz", "1974-07-08", Sex.Male, "PA", "Northwind PPO", today.AddDays(-30))), ct);
        await ImportRosterAsync(planProgram.Id, "contoso-roster.csv", people.Skip(5).Take(4).Select((p, i) => Row(i + 5, p.First, p.Last, p.Dob, p.Sex, p.State, "Contoso Gold HMO", null))
            .Append(Row(14, "Nadia", "Haddad", "1969-11-23", Sex.Female, "NJ", "Contoso Gold HMO", null)), ct);
        return logins;
    }

    static readonly string[][] DemoQuestions =
    [
        ["Do I need the fusion now, or can I keep trying physical therapy?", "What are the risks of waiting six months?"],
        ["Is stenting a real option for me instead of bypass surgery?"],
        ["Is a mastectomy necessary, or would a lumpectomy with radiation be as safe?", "Should I have genetic testing first?"],
    ];

    static string Row(int index, string first, string last, string dob, Sex sex, string state, string plan, DateOnly? end) =>
        $"DEMO{index + 1:0000},{first},{last},{dob},{sex.ToString()[0]},{state},{plan},2024-01-01,{end?.ToString("yyyy-MM-dd")},self";

    async Task ImportRosterAsync(Guid programId, string name, IEnumerable<string> rows, CancellationToken ct)
    {
        var csv = "member_id,first_name,last_name,date_of_birth,sex,state,plan,coverage_start,coverage_end,relationship\n" + string.Join("\n", rows) + "\n";
        await using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(csv));
        await rosters.ImportAsync(programId, stream, name, RosterFormat.Csv, ct);
    }

    async Task EnsureRolesAsync()
    {
        foreach (var role in Roles.All)
            if (!await roles.RoleExistsAsync(role)) Check(await roles.CreateAsync(new AppRole(role)));
    }

    static Physician Reviewer(string name, string npiBody, string specialty, string subspecialty, int capacity, decimal stipend,
        string[] languages, string[] affiliations, bool imlc, DateTimeOffset now, params string[] states)
    {
        var npi = npiBody + Npi.CheckDigit(npiBody);
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var seed = npiBody.Sum(c => c - '0');
        var licenses = states.Select((state, i) =>
        {
            // Spread renewals: the first licence of some reviewers is due within 30 days, the second within 90.
            var expires = i switch
            {
                0 when seed % 3 == 0 => today.AddDays(12 + seed % 15),
                1 when seed % 2 == 0 => today.AddDays(45 + seed % 40),
                _ => today.AddDays(120 + (i * 97 + seed * 13) % 600),
            };
            return new StateLicense(state, $"{state}{(100000 + (seed * 7919 + i * 104729) % 900000):D6}", expires.AddYears(-2 - i % 3), expires, imlc && i % 3 == 2);
        }).ToList();
        var physician = Physician.Create(name, npi, specialty, subspecialty, now);
        physician.Update(new PhysicianProfile(npi, name, specialty, subspecialty, null,
            [new BoardCertification($"American Board of {(specialty == "Medical Oncology" || specialty == "Cardiology" ? "Internal Medicine" : specialty)}", today.AddYears(4))],
            licenses, imlc, languages.Where(l => Languages.Normalize(l) is not null).ToList(), capacity, stipend, affiliations, PhysicianStatus.Active), now);
        return physician;
    }

    static string NewPassword()
    {
        const string alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        var chars = new char[16];
        // Identity's policy wants a digit, a lower- and an upper-case letter; about one draw in six lacks one of them.
        do
        {
            for (var i = 0; i < chars.Length; i++) chars[i] = alphabet[RandomNumberGenerator.GetInt32(alphabet.Length)];
        }
        while (!chars.Any(char.IsDigit) || !chars.Any(char.IsLower) || !chars.Any(char.IsUpper));
        return $"{new string(chars, 0, 4)}-{new string(chars, 4, 4)}-{new string(chars, 8, 4)}-{new string(chars, 12, 4)}";
    }

    static void Check(IdentityResult result)
    {
        if (!result.Succeeded) throw new InvalidOperationException("Demo seed failed: " + string.Join(" ", result.Errors.Select(e => e.Description)));
    }
}

public static class DemoSetup
{
    public static IServiceCollection AddDemo(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<DemoOptions>().BindConfiguration(DemoOptions.Section);
        services.AddScoped<DemoSeeder>();
        return services;
    }
}
