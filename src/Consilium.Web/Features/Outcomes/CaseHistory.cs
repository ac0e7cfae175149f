using System.Globalization;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Consilium.Features.Audit;
using Consilium.Features.Cases;
using Consilium.Features.Identity;
using Consilium.Features.Opinions;
using Consilium.Infrastructure;
using Consilium.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Consilium.Features.Outcomes;

/// <summary>One row of a history file, checked: where it was and what it says.</summary>
public sealed record HistoryRow(int Line, string CaseId, string MemberId, ConditionCategory Category, DateOnly RequestedOn, DateOnly PacketCompleteOn,
    DateOnly OpinionOn, DateOnly? TriggeredOn, string OriginalDx, string? ReviewerDx, DiagnosisAgreement DxAgreement, TreatmentAgreement TxAgreement,
    bool SurgeryProposed, bool SurgeryRecommended, bool HospitalizationProposed, bool HospitalizationRecommended, bool SiteOfCareChange,
    long OriginalPlanCents, long RecommendedPlanCents, int? Satisfaction, string? TreatingNpi, string? TreatingOrganization);

/// <summary>
/// Reads a history file of closed cases from a previous vendor (docs/metrics.md, "History import"). The header names
/// the columns in any order and any case; every listed column is required and only satisfaction may be empty. A bad
/// row is refused with its line number and column, and none of the file is used. Messages never quote a value.
/// </summary>
public static partial class CaseHistoryCsv
{
    public static readonly IReadOnlyList<string> RequiredColumns =
    [
        "case_id", "member_id", "category", "requested_on", "packet_complete_on", "opinion_on", "original_dx", "reviewer_dx", "dx_agreement",
        "tx_agreement", "surgery_proposed", "surgery_recommended", "hospitalization_proposed", "hospitalization_recommended", "site_of_care_change",
        "original_plan_cost", "recommended_plan_cost", "satisfaction",
    ];

    public static readonly IReadOnlyList<string> OptionalColumns = ["triggered_on", "treating_npi", "treating_organization"];

    [GeneratedRegex(@"^[A-TV-Z][0-9][0-9A-Z](\.?[0-9A-Z]{1,4})?$")]
    private static partial Regex Icd10Cm();

    public static List<HistoryRow> Read(Stream stream) => ImportCsv.Read(stream, RequiredColumns, "case_id", "cases", row =>
    {
        bool Flag(string name) => row.Required(name).ToLowerInvariant() switch
        {
            "true" => true,
            "false" => false,
            _ => throw row.At(name, "use true or false."),
        };
        long Cents(string name)
        {
            var value = row.Required(name);
            if (!decimal.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var dollars)
                || dollars > 100_000_000m || decimal.Round(dollars, 2) != dollars)
                throw row.At(name, "a dollar amount from 0 to 100,000,000 with at most two decimals, without a currency sign.");
            return (long)(dollars * 100m);
        }
        string Dx(string name, string value)
        {
            var codes = value.Split('|', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            if (codes.Length == 0 || codes.Any(c => !Icd10Cm().IsMatch(c.ToUpperInvariant())))
                throw row.At(name, "ICD-10-CM codes (for example M48.06), several separated by '|'.");
            return string.Join('|', codes.Select(c => c.ToUpperInvariant()));
        }

        var memberId = row.Required("member_id");
        if (memberId.Length > 80) throw row.At("member_id", "at most 80 characters.");
        var category = row.Required("category").ToLowerInvariant() switch
        {
            "oncology" => ConditionCategory.Oncology,
            "musculoskeletal" => ConditionCategory.Musculoskeletal,
            "spine" => ConditionCategory.Spine,
            "cardiac" => ConditionCategory.Cardiac,
            "neurological" => ConditionCategory.Neurological,
            "rare_disease" => ConditionCategory.RareDisease,
            "other" => ConditionCategory.Other,
            _ => throw row.At("category", "use oncology, musculoskeletal, spine, cardiac, neurological, rare_disease or other."),
        };
        var requested = row.Date("requested_on", row.Required("requested_on"));
        var packet = row.Date("packet_complete_on", row.Required("packet_complete_on"));
        var opinion = row.Date("opinion_on", row.Required("opinion_on"));
        if (packet < requested) throw row.At("packet_complete_on", "before requested_on.");
        if (opinion < packet) throw row.At("opinion_on", "before packet_complete_on.");
        DateOnly? triggered = row.Field("triggered_on") is { } t ? row.Date("triggered_on", t) : null;
        if (triggered > requested) throw row.At("triggered_on", "after requested_on.");
        var dxAgreement = row.Required("dx_agreement").ToLowerInvariant() switch
        {
            "confirmed" => DiagnosisAgreement.Confirmed,
            "refined" => DiagnosisAgreement.Refined,
            "changed" => DiagnosisAgreement.Changed,
            "undetermined" => DiagnosisAgreement.CannotDetermine,
            _ => throw row.At("dx_agreement", "use confirmed, refined, changed or undetermined."),
        };
        var originalDx = Dx("original_dx", row.Required("original_dx"));
        // An undetermined diagnosis has no reviewer diagnosis; every other verdict names one.
        var reviewerDx = row.Field("reviewer_dx") is { } r ? Dx("reviewer_dx", r)
            : dxAgreement == DiagnosisAgreement.CannotDetermine ? null : throw row.At("reviewer_dx", "this column is required unless dx_agreement is undetermined.");
        var txAgreement = row.Required("tx_agreement").ToLowerInvariant() switch
        {
            "agree" => TreatmentAgreement.Agree,
            "modify" => TreatmentAgreement.Modify,
            "change" => TreatmentAgreement.Change,
            _ => throw row.At("tx_agreement", "use agree, modify or change."),
        };
        var surgeryProposed = Flag("surgery_proposed");
        var surgeryRecommended = Flag("surgery_recommended");
        if (txAgreement == TreatmentAgreement.Agree && surgeryProposed != surgeryRecommended)
            throw row.At("tx_agreement", "agree, but the recommendation about surgery differs from the proposal.");
        int? satisfaction = null;
        if (row.Field("satisfaction") is { } s)
        {
            if (!int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var score) || score > 10)
                throw row.At("satisfaction", "a whole number from 0 to 10, or empty.");
            satisfaction = score;
        }
        var npi = row.Field("treating_npi");
        if (npi is not null && (npi.Length != 10 || !npi.All(char.IsAsciiDigit))) throw row.At("treating_npi", "an NPI is 10 digits.");
        var organization = row.Field("treating_organization");
        if (organization?.Length > 200) throw row.At("treating_organization", "at most 200 characters.");

        return new HistoryRow(row.Line, row.Key, memberId, category, requested, packet, opinion, triggered, originalDx, reviewerDx, dxAgreement,
            txAgreement, surgeryProposed, surgeryRecommended, Flag("hospitalization_proposed"), Flag("hospitalization_recommended"),
            Flag("site_of_care_change"), Cents("original_plan_cost"), Cents("recommended_plan_cost"), satisfaction, npi, organization);
    });
}

public sealed record HistoryImportResult(string FileName, string Sha256, int Rows, int Added, int Unchanged);

/// <summary>
/// Loads a history file into a program's case outcomes, all or nothing. A case id already imported for the program is
/// left as it is (re-importing changes nothing). A member id found on the program's roster lends the row its age band,
/// sex, state and language for the fair-access view.
/// </summary>
public sealed class CaseHistoryImport(ConsiliumDbContext db, CurrentActor user, AuditTrail audit, OutcomeRollup rollup, TimeProvider clock)
{
    const string ObjectType = "CaseHistoryImport";

    public async Task<HistoryImportResult> ImportAsync(Guid programId, Stream content, string fileName, CancellationToken ct)
    {
        if (!await CaseAccess.ServesProgramAsync(db, user, programId, ct)) throw new NotFoundException("Program", programId);
        var program = await db.Programs.AsNoTracking().SingleAsync(p => p.Id == programId, ct);
        var name = Path.GetFileName(fileName);
        await using var buffer = new MemoryStream();
        await content.CopyToAsync(buffer, ct);
        var sha = Convert.ToHexStringLower(SHA256.HashData(buffer.GetBuffer().AsSpan(0, (int)buffer.Length)));
        buffer.Position = 0;
        List<HistoryRow> rows;
        try
        {
            rows = CaseHistoryCsv.Read(buffer);
        }
        catch (RuleViolationException e)
        {
            await audit.RecordFailureAsync(AuditAction.Create, ObjectType, null, null, AuditOutcome.Failure, $"{name} rejected: {e.Message}", ct);
            throw;
        }

        var existing = (await db.Set<CaseOutcome>().AsNoTracking().Where(o => o.ProgramId == programId && o.Source == OutcomeSource.Imported)
            .Select(o => o.ExternalCaseId).ToListAsync(ct)).ToHashSet(StringComparer.Ordinal);
        var fresh = rows.Where(r => !existing.Contains(r.CaseId)).ToList();
        var memberIds = fresh.Select(r => r.MemberId).Distinct().ToList();
        var members = new Dictionary<string, Members.Member>(StringComparer.Ordinal);
        foreach (var chunk in memberIds.Chunk(1000))
            foreach (var m in await db.Members.AsNoTracking().Where(m => m.ProgramId == programId && chunk.Contains(m.ExternalId)).ToListAsync(ct))
                members[m.ExternalId] = m;

        var now = clock.GetUtcNow();
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        foreach (var r in fresh)
        {
            var m = members.GetValueOrDefault(r.MemberId);
            db.Add(CaseOutcome.Create(programId, OutcomeSource.Imported, r.CaseId, null, new OutcomeFacts(
                r.MemberId, m?.Id, r.Category, r.TriggeredOn is not null, r.RequestedOn, r.TriggeredOn, r.PacketCompleteOn, r.OpinionOn,
                program.Sla.BusinessDaysToOpinion, r.OriginalDx, r.ReviewerDx, r.DxAgreement, r.TxAgreement, r.SurgeryProposed, r.SurgeryRecommended,
                r.HospitalizationProposed, r.HospitalizationRecommended, r.SiteOfCareChange, r.OriginalPlanCents, r.RecommendedPlanCents, r.Satisfaction,
                null, m is null ? null : CaseOutcome.AgeBandAt(m.DateOfBirth, r.RequestedOn), m?.Sex.ToString(), m?.State, m?.PreferredLanguage,
                r.TreatingNpi, r.TreatingOrganization), now));
        }
        audit.Record(AuditAction.Create, ObjectType, programId, null, reason: $"{name} sha256 {sha}: {rows.Count} rows, {fresh.Count} added, {rows.Count - fresh.Count} unchanged");
        // The rows, the audit entry and the roll-up of the months they fall in are saved together.
        var months = fresh.SelectMany(r => new[] { OutcomeRollup.MonthOf(r.RequestedOn), OutcomeRollup.MonthOf(r.OpinionOn) }).ToHashSet();
        try
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            await rollup.LockAsync(programId, ct);
            await db.SaveChangesAsync(ct);
            await rollup.UpdateAsync(programId, months, ct);
            await tx.CommitAsync(ct);
        }
        catch (DbUpdateException)
        {
            throw new ConflictException("Another import of these cases was saved at the same time. Import the file again: the cases already in are left as they are.");
        }
        finally
        {
            db.ChangeTracker.AutoDetectChangesEnabled = true;
        }
        return new HistoryImportResult(name, sha, rows.Count, fresh.Count, rows.Count - fresh.Count);
    }
}
