namespace Consilium.X12.Transactions;

/// <summary>834 benefit enrollment and maintenance (005010X220A1): one event per INS (loop 2000).</summary>
sealed class Enrollment834Parser(ParseCaches caches) : TransactionParser(caches)
{
    enum Loop { Header, Member, MemberName, OtherName, Coverage, Reporting }

    Loop loop;
    bool open;
    long offset;
    bool isSubscriber;
    string? relationship, maintenance, reason, status;
    string? ref0F, ref23, ref1L;
    string? last, first, middle, sex, state, postal;
    DateOnly? birth, eligibilityBegin, eligibilityEnd;
    bool nameSeen;
    readonly List<EnrollmentCoverage> coverages = [];
    bool coverageOpen;
    string? hdMaintenance, hdLine, hdPlan, hdLevel;
    DateOnly? hdBegin, hdEnd;

    protected override void Reset()
    {
        loop = Loop.Header;
        open = false;
    }

    public override void OnSegment(int key)
    {
        switch (key)
        {
            case Seg.INS: OnIns(); break;
            case Seg.REF when open && loop is Loop.Member or Loop.MemberName or Loop.OtherName:
                var qualifier = R.GetElement(1);
                if (qualifier.SequenceEqual("0F"u8)) ref0F = Str(2);
                else if (qualifier.SequenceEqual("23"u8)) ref23 = Str(2);
                else if (qualifier.SequenceEqual("1L"u8)) ref1L ??= Str(2);
                break;
            case Seg.NM1 when open: OnNm1(); break;
            case Seg.N4 when open && loop == Loop.MemberName:
                state = Pooled(2);
                postal = Str(3);
                break;
            case Seg.DMG when open && loop == Loop.MemberName:
                if (!R.GetElement(2).IsEmpty) Parse.DateValue(R, 1, out birth, out _);
                sex = Pooled(3);
                break;
            case Seg.DTP when open: OnDtp(); break;
            case Seg.HD when open: OnHd(); break;
            case Seg.LS when open:
                CloseCoverage();
                loop = Loop.Reporting;
                break;
            case Seg.LE when open:
                loop = Loop.Member;
                break;
        }
    }

    public override void End() => CloseMember();

    void OnIns()
    {
        CloseMember();
        var indicator = R.GetElement(1);
        if (!indicator.SequenceEqual("Y"u8) && !indicator.SequenceEqual("N"u8))
            throw R.SegmentError($"expected INS01 (subscriber indicator) to be Y or N, found '{Parse.Text(indicator)}'");
        maintenance = Pooled(3);
        if (maintenance is null)
            throw R.SegmentError("expected INS03 (maintenance type code: 021 addition, 001 change, 024 termination, 030 audit), found nothing");
        open = true;
        loop = Loop.Member;
        offset = R.SegmentOffset;
        isSubscriber = indicator[0] == (byte)'Y';
        relationship = Pooled(2);
        reason = Pooled(4);
        status = Pooled(5);
        ref0F = ref23 = ref1L = null;
        last = first = middle = sex = state = postal = null;
        birth = eligibilityBegin = eligibilityEnd = null;
        nameSeen = false;
        coverages.Clear();
        coverageOpen = false;
    }

    void OnNm1()
    {
        var code = Parse.EntityCode(R);
        if (loop == Loop.Coverage || loop == Loop.Reporting) return;
        // 2100A member name (IL, or 74 for a corrected name); the other 2100 loops are addresses of other people.
        if (code.SequenceEqual("IL"u8) || (code.SequenceEqual("74"u8) && !nameSeen))
        {
            loop = Loop.MemberName;
            nameSeen = true;
            last = Str(3);
            first = Str(4);
            middle = Str(5);
        }
        else loop = Loop.OtherName;
    }

    void OnDtp()
    {
        var qualifier = R.GetElement(1);
        if (loop == Loop.Coverage)
        {
            if (qualifier.SequenceEqual("348"u8)) Parse.DateValue(R, 2, out hdBegin, out _);
            else if (qualifier.SequenceEqual("349"u8)) Parse.DateValue(R, 2, out hdEnd, out _);
        }
        else if (loop is Loop.Member or Loop.MemberName or Loop.OtherName)
        {
            if (qualifier.SequenceEqual("356"u8)) Parse.DateValue(R, 2, out eligibilityBegin, out _);
            else if (qualifier.SequenceEqual("357"u8)) Parse.DateValue(R, 2, out eligibilityEnd, out _);
        }
    }

    void OnHd()
    {
        CloseCoverage();
        loop = Loop.Coverage;
        coverageOpen = true;
        hdMaintenance = Pooled(1);
        hdLine = Pooled(3);
        hdPlan = Str(4);
        hdLevel = Pooled(5);
        hdBegin = hdEnd = null;
    }

    void CloseCoverage()
    {
        if (!coverageOpen) return;
        coverageOpen = false;
        coverages.Add(new EnrollmentCoverage(hdMaintenance, hdLine, hdPlan, hdLevel, hdBegin, hdEnd));
    }

    void CloseMember()
    {
        if (!open) return;
        CloseCoverage();
        open = false;
        if (ref0F is null) throw R.SegmentError("expected REF*0F (subscriber identifier, required in loop 2000) for the member started by INS");
        if (!nameSeen) throw R.SegmentError("expected NM1*IL (member name, loop 2100A) for the member started by INS");
        // A subscriber is known by the subscriber identifier; a dependent by its own number when the sponsor sends one.
        var memberId = isSubscriber ? ref0F : ref23 ?? ref0F;
        Emit(new EnrollmentEvent
        {
            FileName = R.FileName,
            Transaction = Info,
            ByteOffset = offset,
            Member = new Member
            {
                MemberId = memberId,
                SubscriberId = ref0F,
                LastName = last,
                FirstName = first,
                MiddleName = middle,
                BirthDate = birth,
                Sex = sex,
                IsSubscriber = isSubscriber,
                Relationship = relationship,
            },
            MaintenanceType = maintenance!,
            MaintenanceReason = reason,
            BenefitStatus = status,
            State = state,
            PostalCode = postal,
            GroupNumber = ref1L,
            EligibilityBegin = eligibilityBegin,
            EligibilityEnd = eligibilityEnd,
            Coverages = coverages.ToArray(),
        });
    }
}
