using System.Text;

namespace Consilium.X12.Transactions;

/// <summary>
/// 837P (005010X222A1), 837I (005010X223A2) and their 4010 predecessors (X098A1, X096A1). Loops are
/// tracked only as far as the claim needs them: the current HL level, whether a claim (CLM) and a service
/// line (LX) are open, and which NM1 the following N3/N4/DMG belong to.
/// </summary>
sealed partial class Claim837Parser(ParseCaches caches, ClaimCodeFilter? filter = null) : TransactionParser(caches)
{
    enum Entity { None, Billing, Subscriber, Patient, Other }

    int hlLevel;
    bool institutionalByVersion;

    ProviderRef? billing;
    bool billingSeen;
    Entity entity;
    int entityKey;
    bool n3Seen, n4Seen;

    string? subscriberId;
    string? subLast, subFirst, subMiddle, subSex;
    DateOnly? subBirth;
    bool patientPresent;
    string? patientId, patLast, patFirst, patMiddle, patSex, patRelationship;
    DateOnly? patBirth;
    Member? member;

    // Open claim.
    bool inClaim;
    long claimOffset;
    string claimId = "";
    decimal totalCharge;
    string? pos, posQualifier, frequency;
    DateOnly? claimFrom, claimTo, statementFrom, statementTo, admission, discharge;
    readonly List<Diagnosis> diagnoses = [];
    readonly List<ProcedureCode> procedures = [];
    readonly List<ServiceLine> lines = [];
    ProviderRef? rendering, attending;
    bool sawSv1, sawSv2, sawCl1;

    // Open service line (LX .. next LX/CLM/HL/SE).
    bool inLine;
    bool lineHasService;
    int lineNumber;
    string? lineQualifier, lineCode, lineRevenue, linePos;
    string[] lineModifiers = [];
    int[] linePointers = [];
    decimal lineCharge;
    decimal? lineUnits;
    DateOnly? lineFrom, lineTo;
    ProviderRef? lineRendering;

    protected override void Reset()
    {
        if (filter is not null) R.BeforeDiscard = detachSegments ??= DetachSegments;
        hlLevel = 0;
        var version = Info.ImplementationVersion ?? "";
        institutionalByVersion = version.Contains("X223", StringComparison.Ordinal) || version.Contains("X096", StringComparison.Ordinal);
        billing = null;
        billingSeen = false;
        entity = Entity.None;
        ResetSubscriber();
        inClaim = inLine = false;
        ResetDeferredClaim();
    }

    void ResetSubscriber()
    {
        ClearSubscriberFields();
        subscriberCaptured = false;
        subscriberSegments.Clear();
        ResetPatient();
    }

    void ResetPatient()
    {
        patientPresent = false;
        ClearPatientFields();
        patientSegments.Clear();
        member = null;
    }

    void ClearSubscriberFields()
    {
        subscriberId = subLast = subFirst = subMiddle = subSex = null;
        subBirth = null;
    }

    void ClearPatientFields()
    {
        patientId = patLast = patFirst = patMiddle = patSex = patRelationship = null;
        patBirth = null;
    }

    public override void OnSegment(int key)
    {
        if (filter is not null && !replaying)
        {
            Check(key);
            return;
        }
        switch (key)
        {
            case Seg.HL: OnHl(); break;
            case Seg.NM1: OnNm1(); break;
            case Seg.N3: OnN3(); break;
            case Seg.N4: OnN4(); break;
            case Seg.DMG: OnDmg(); break;
            case Seg.PAT:
                patRelationship = Pooled(1);
                break;
            case Seg.CLM: OnClm(); break;
            case Seg.CL1:
                sawCl1 = true;
                break;
            case Seg.DTP: OnDtp(); break;
            case Seg.HI: if (inClaim) OnHi(); break;
            case Seg.LX: OnLx(); break;
            case Seg.SV1: OnSv1(); break;
            case Seg.SV2: OnSv2(); break;
        }
    }

    public override void End() => CloseClaim();

    void OnN3()
    {
        if (n4Seen) throw R.SegmentError($"expected N3 (address) before N4 in the {EntityName()} loop, found N3 after N4 (segments out of order)");
        n3Seen = true;
    }

    void OnN4()
    {
        if (entity == Entity.Billing && !n3Seen)
            throw R.SegmentError("expected N3 (billing provider address, required in loop 2010AA) before N4");
        n4Seen = true;
    }

    void OnHl()
    {
        CloseClaim();
        var level = R.GetElement(3);
        if (level.IsEmpty) throw R.SegmentError("expected HL03 (hierarchical level code 20, 22 or 23), found nothing");
        entity = Entity.None;
        n3Seen = n4Seen = false;
        if (level.SequenceEqual("20"u8))
        {
            hlLevel = 20;
            billing = null;
            billingSeen = false;
            ResetSubscriber();
        }
        else if (level.SequenceEqual("22"u8))
        {
            hlLevel = 22;
            ResetSubscriber();
        }
        else if (level.SequenceEqual("23"u8))
        {
            hlLevel = 23;
            ResetPatient();
            patientPresent = true;
        }
        else hlLevel = -1;
    }

    void OnNm1()
    {
        var code = Parse.EntityCode(R);
        n3Seen = n4Seen = false;
        entityKey = code.Length <= 3 ? X12SegmentReader.Key(code) : 0;
        if (inClaim)
        {
            // 2310x / 2420x: providers of the claim or of the line. The first one wins: the 2330x loops that
            // follow name the other payer's view of the same roles, and other subscribers (2330A) are not the member.
            entity = Entity.Other;
            if (code.SequenceEqual("82"u8))
            {
                if (inLine) lineRendering ??= Provider();
                else rendering ??= Provider();
            }
            else if (code.SequenceEqual("71"u8) && !inLine) attending ??= Provider();
            return;
        }

        if (hlLevel == 20)
        {
            if (code.SequenceEqual("85"u8))
            {
                if (billingSeen)
                    throw R.SegmentError("loop 2010AA (billing provider name) repeats: expected one NM1*85 per billing provider HL");
                billingSeen = true;
                billing = Provider();
                entity = Entity.Billing;
                return;
            }
            if (!billingSeen)
                throw R.SegmentError($"expected NM1*85 (billing provider name, loop 2010AA) as the first name after HL*20, found NM1*{Parse.Text(code)}");
            entity = Entity.Other;
            return;
        }

        if (code.SequenceEqual("IL"u8) && hlLevel == 22)
        {
            entity = Entity.Subscriber;
            subscriberId = Str(9);
            subLast = Pooled(3);
            subFirst = Pooled(4);
            subMiddle = Pooled(5);
            member = null;
        }
        else if (code.SequenceEqual("QC"u8))
        {
            entity = Entity.Patient;
            patientPresent = true;
            patientId = Str(9);
            patLast = Pooled(3);
            patFirst = Pooled(4);
            patMiddle = Pooled(5);
            member = null;
        }
        else entity = Entity.Other;
    }

    void OnDmg()
    {
        if (entity is not (Entity.Subscriber or Entity.Patient) || inClaim) return;
        DateOnly? birth = null;
        if (!R.GetElement(2).IsEmpty)
        {
            Parse.DateValue(R, 1, out birth, out _);
        }
        var sex = Pooled(3);
        if (entity == Entity.Subscriber)
        {
            subBirth = birth;
            subSex = sex;
        }
        else
        {
            patBirth = birth;
            patSex = sex;
        }
        member = null;
    }

    void OnClm()
    {
        CloseClaim();
        if (subscriberId is null) ThrowNoSubscriber();
        var id = R.GetElement(1);
        if (id.IsEmpty) throw R.SegmentError("expected CLM01 (claim submitter identifier), found nothing");
        claimId = Encoding.UTF8.GetString(id);
        totalCharge = Parse.RequiredDecimal(R, 2, "a decimal amount (total claim charge)");
        var facility = R.GetElement(5);
        byte sep = R.Delimiters.Component;
        int a = facility.IndexOf(sep);
        var code = a < 0 ? facility : facility[..a];
        if (code.IsEmpty)
            throw R.SegmentError("expected CLM05 (facility code : qualifier : claim frequency, e.g. 11:B:1), found nothing");
        pos = Pool.Get(code);
        posQualifier = frequency = null;
        if (a >= 0)
        {
            var rest = facility[(a + 1)..];
            int b = rest.IndexOf(sep);
            posQualifier = Pool.Get(b < 0 ? rest : rest[..b]);
            if (b >= 0)
            {
                rest = rest[(b + 1)..];
                int c = rest.IndexOf(sep);
                frequency = Pool.Get(c < 0 ? rest : rest[..c]);
            }
        }
        inClaim = true;
        claimOffset = R.SegmentOffset;
        claimFrom = claimTo = statementFrom = statementTo = admission = discharge = null;
        diagnoses.Clear();
        procedures.Clear();
        lines.Clear();
        rendering = attending = null;
        sawSv1 = sawSv2 = sawCl1 = false;
        entity = Entity.Other;
        n3Seen = n4Seen = false;
    }

    void OnDtp()
    {
        if (!inClaim) return;
        var qualifier = R.GetElement(1);
        if (inLine)
        {
            if (qualifier.SequenceEqual("472"u8)) Parse.DateValue(R, 2, out lineFrom, out lineTo);
            return;
        }
        if (qualifier.SequenceEqual("472"u8)) Parse.DateValue(R, 2, out claimFrom, out claimTo);
        else if (qualifier.SequenceEqual("434"u8)) Parse.DateValue(R, 2, out statementFrom, out statementTo);
        else if (qualifier.SequenceEqual("435"u8)) Parse.DateValue(R, 2, out admission, out _, required: false);
        else if (qualifier.SequenceEqual("096"u8)) Parse.DateValue(R, 2, out discharge, out _, required: false);
    }

    void OnHi() => HealthCodes.Read(R, Pool, diagnoses, procedures);

    void OnLx()
    {
        if (!inClaim) throw R.SegmentError("expected CLM before LX (service line number)");
        CloseLine();
        inLine = true;
        lineHasService = false;
        lineNumber = R.TryGetInt64(1, out long n) ? (int)n : lines.Count + 1;
        lineQualifier = lineCode = lineRevenue = linePos = null;
        lineModifiers = [];
        linePointers = [];
        lineCharge = 0;
        lineUnits = null;
        lineFrom = lineTo = null;
        lineRendering = null;
        entity = Entity.Other;
    }

    void OnSv1()
    {
        if (!inLine || lineHasService) throw R.SegmentError("expected LX (service line number, loop 2400) before SV1");
        lineHasService = true;
        sawSv1 = true;
        ReadProcedure(1);
        lineCharge = Parse.RequiredDecimal(R, 2, "a decimal amount (line item charge)");
        lineUnits = Parse.OptionalDecimal(R, 4);
        linePos = Pooled(5);
        linePointers = Parse.Pointers(R.GetElement(7), R.Delimiters.Component, Caches.Pointers);
    }

    void OnSv2()
    {
        if (!inLine || lineHasService) throw R.SegmentError("expected LX (service line number, loop 2400) before SV2");
        lineHasService = true;
        sawSv2 = true;
        lineRevenue = Pooled(1);
        if (lineRevenue is null) throw R.SegmentError("expected SV201 (revenue code), found nothing");
        ReadProcedure(2);
        lineCharge = Parse.RequiredDecimal(R, 3, "a decimal amount (line item charge)");
        lineUnits = Parse.OptionalDecimal(R, 5);
    }

    /// <summary>SVx composite: qualifier : code : up to four modifiers (: description), scanned once.</summary>
    void ReadProcedure(int element)
    {
        var composite = R.GetElement(element);
        if (composite.IsEmpty) return;
        byte sep = R.Delimiters.Component;
        int q = composite.IndexOf(sep);
        if (q < 0)
        {
            sep = Parse.ComponentSeparator(composite, sep);
            q = composite.IndexOf(sep);
        }
        lineQualifier = Pool.Get(q < 0 ? composite : composite[..q]);
        var rest = q < 0 ? default : composite[(q + 1)..];
        int c = rest.IndexOf(sep);
        lineCode = Pool.Get(c < 0 ? rest : rest[..c]);
        if (lineCode is null)
            throw R.SegmentError($"expected {R.SafeId()}{element:00}-2 (procedure code) after the qualifier '{lineQualifier}', found nothing");
        lineModifiers = c < 0 ? [] : Parse.ModifierList(rest[(c + 1)..], sep, Pool, Caches.Modifiers);
    }

    void CloseLine()
    {
        if (!inLine) return;
        inLine = false;
        if (!lineHasService) return;
        lines.Add(new ServiceLine
        {
            LineNumber = lineNumber,
            ProcedureQualifier = lineQualifier,
            ProcedureCode = lineCode,
            Modifiers = lineModifiers,
            RevenueCode = lineRevenue,
            Charge = lineCharge,
            Units = lineUnits,
            PlaceOfService = linePos,
            DiagnosisPointers = linePointers,
            ServiceFrom = lineFrom,
            ServiceTo = lineTo,
            RenderingProvider = lineRendering,
        });
    }

    void CloseClaim()
    {
        if (!inClaim) return;
        if (filter is not null && !replaying)
        {
            CloseDeferredClaim();
            return;
        }
        CloseLine();
        inClaim = false;

        DateOnly? from = statementFrom ?? claimFrom, to = statementTo ?? claimTo;
        if (from is null)
        {
            foreach (var line in lines)
            {
                if (line.ServiceFrom is { } f && (from is null || f < from)) from = f;
                if (line.ServiceTo is { } t && (to is null || t > to)) to = t;
            }
        }

        Emit(new ClaimEvent
        {
            FileName = R.FileName,
            Transaction = Info,
            ByteOffset = claimOffset,
            Format = ClaimFormat.X12,
            ClaimType = ResolveClaimType(),
            Member = member ??= BuildMember(),
            ClaimId = claimId,
            TotalCharge = totalCharge,
            PlaceOfService = pos,
            FacilityCodeQualifier = posQualifier,
            FrequencyCode = frequency,
            ServiceFrom = from,
            ServiceTo = to,
            AdmissionDate = admission,
            DischargeDate = discharge,
            Diagnoses = diagnoses.Count == 0 ? [] : diagnoses.ToArray(),
            Procedures = procedures.Count == 0 ? [] : procedures.ToArray(),
            Lines = lines.Count == 0 ? [] : lines.ToArray(),
            BillingProvider = billing,
            RenderingProvider = rendering,
            AttendingProvider = attending,
        });
    }

    /// <summary>
    /// Content beats labels: GS08 is wrong in the wild (OopFactory's 837I samples say X222), so SV2/CL1 or
    /// CLM05-2 'A' make a claim institutional and SV1 or 'B' professional; the version decides the rest.
    /// </summary>
    ClaimType ResolveClaimType()
    {
        if (sawSv2 || sawCl1) return ClaimType.Institutional;
        if (sawSv1) return ClaimType.Professional;
        if (posQualifier == "A") return ClaimType.Institutional;
        if (posQualifier == "B") return ClaimType.Professional;
        return institutionalByVersion ? ClaimType.Institutional : ClaimType.Professional;
    }

    Member BuildMember() => patientPresent && (patLast is not null || patientId is not null)
        ? new Member
        {
            MemberId = patientId ?? subscriberId!,
            SubscriberId = subscriberId,
            LastName = patLast,
            FirstName = patFirst,
            MiddleName = patMiddle,
            BirthDate = patBirth,
            Sex = patSex,
            IsSubscriber = false,
            Relationship = patRelationship,
        }
        : new Member
        {
            MemberId = subscriberId!,
            SubscriberId = subscriberId,
            LastName = subLast,
            FirstName = subFirst,
            MiddleName = subMiddle,
            BirthDate = subBirth,
            Sex = subSex,
            IsSubscriber = true,
            Relationship = "18",
        };

    string EntityName() => entity switch
    {
        Entity.Billing => "2010AA (billing provider)",
        Entity.Subscriber => "2010BA (subscriber)",
        Entity.Patient => "2010CA (patient)",
        _ => $"NM1*{X12SegmentReader.KeyText(entityKey)}",
    };
}
