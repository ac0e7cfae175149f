using System.Runtime.CompilerServices;

namespace Consilium.X12.Transactions;

/// <summary>
/// The one-pass claim checker: the filtered path's (<see cref="X12ReaderOptions.ClaimFilter"/>) handling of an 837
/// segment in one switch on the segment identifier, called by the engine straight from its read loop (no envelope
/// dispatch, no virtual call). The shapes real claims nearly always have (an NM1 with a two-byte entity code, a service
/// date "DTP*472*D8*CCYYMMDD") are recognised from the segment's bytes; anything else goes through the same checks as
/// before, which throw the same located errors, so what is accepted and what fails does not change.
/// </summary>
sealed partial class Claim837Parser
{
    // "*472*D8*" with this interchange's element separator, as 8 bytes read little-endian; 0 when not yet set.
    ulong dtp472D8;
    byte dtpSeparator;

    /// <summary>
    /// Validates (and captures, for a possible replay) one transaction segment of the filtered path; false, with nothing
    /// done, for envelope segments and bad identifiers, which the engine handles itself.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Check(int key)
    {
        switch (key)
        {
            case Seg.HL:
                OnHl();
                return true;
            case Seg.CLM:
                if (IsPlainClm()) OpenClaim();
                else DeferredClm();
                return true;
            case Seg.NM1:
                CheckNm1();
                return true;
            case Seg.DTP:
                if (inClaim && !IsServiceDateD8()) DeferredDtp();
                return true;
            case Seg.N3:
                OnN3();
                break;
            case Seg.N4:
                OnN4();
                break;
            case Seg.HI or Seg.LX or Seg.SV1 or Seg.SV2 or Seg.DMG or Seg.PAT or Seg.CL1:
                CheckOther(key);
                return true;
            case Seg.ISA or Seg.IEA or Seg.GS or Seg.GE or Seg.ST or Seg.SE or 0:
                return false;
        }
        // N3, N4 and every segment the claim does not read (REF, PRV, SBR …): nothing else (inside a claim, its range holds them).
        return true;
    }

    /// <summary>HI, LX, SV1, SV2, DMG, PAT and CL1: checked where the full parse reads them.</summary>
    void CheckOther(int key)
    {
        if (inClaim)
        {
            switch (key)
            {
                case Seg.HI:
                    if (!claimRelevant) claimRelevant = HealthCodesMatchOnePass();
                    break;
                case Seg.LX:
                    inLine = true;
                    lineHasService = false;
                    entity = Entity.Other;
                    break;
                case Seg.SV1:
                    if (!inLine || lineHasService) throw R.SegmentError("expected LX (service line number, loop 2400) before SV1");
                    lineHasService = true;
                    deferredLines++;
                    if (!IsPlainSv1())
                    {
                        CheckProcedure(1);
                        Parse.CheckDecimal(R, 2, "a decimal amount (line item charge)");
                    }
                    break;
                case Seg.SV2:
                    if (!inLine || lineHasService) throw R.SegmentError("expected LX (service line number, loop 2400) before SV2");
                    lineHasService = true;
                    deferredLines++;
                    if (R.GetElement(1).IsEmpty) throw R.SegmentError("expected SV201 (revenue code), found nothing");
                    CheckProcedure(2);
                    Parse.CheckDecimal(R, 3, "a decimal amount (line item charge)");
                    break;
            }
            return;
        }
        switch (key)
        {
            case Seg.DMG:
                if (entity is Entity.Subscriber or Entity.Patient && IsPlainDmg())
                {
                    (entity == Entity.Subscriber ? subscriberSegments : patientSegments).Append(R);
                    member = null;
                }
                else DeferredDmg();
                break;
            case Seg.PAT: (hlLevel == 23 ? patientSegments : subscriberSegments).Append(R); break;
            case Seg.CL1: sawCl1 = true; break;
            // Outside a claim these fail exactly as the full parse fails.
            case Seg.LX: OnLx(); break;
            case Seg.SV1: OnSv1(); break;
            case Seg.SV2: OnSv2(); break;
        }
    }

    void CheckNm1()
    {
        if (!inClaim)
        {
            DeferredNm1();
            return;
        }
        // "NM1*82*1…": a two-byte entity code and a non-empty NM102 need no element split.
        var s = R.SegmentSpan;
        byte e = R.Delimiters.Element;
        if (s.Length >= 9 && s[3] == e && s[6] == e && s[8] == e && s[4] != e && s[5] != e && s[7] != e)
            entityKey = s[4] | (s[5] << 8);
        else
        {
            var code = Parse.EntityCode(R);
            entityKey = code.Length <= 3 ? X12SegmentReader.Key(code) : 0;
        }
        n3Seen = n4Seen = false;
        entity = Entity.Other;
    }

    /// <summary>True for "DTP*472*D8*" and a valid CCYYMMDD as the whole segment: what <see cref="DeferredDtp"/> accepts without a word.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    bool IsServiceDateD8()
    {
        var s = R.SegmentSpan;
        if (s.Length != 19) return false;
        byte e = R.Delimiters.Element;
        if (dtpSeparator != e)
        {
            dtpSeparator = e;
            dtp472D8 = e | ((ulong)'4' << 8) | ((ulong)'7' << 16) | ((ulong)'2' << 24) | ((ulong)e << 32) | ((ulong)'D' << 40) | ((ulong)'8' << 48) | ((ulong)e << 56);
        }
        return Unsafe.ReadUnaligned<ulong>(ref Unsafe.AsRef(in s[3])) == dtp472D8 && Parse.IsDate(s[11..]);
    }

    /// <summary>
    /// "SV1*HC:36415*301*…" read from the segment's bytes: a procedure composite with the declared component separator and a
    /// code, and a valid amount. Matches the code as <see cref="CheckProcedure"/> does and returns true; false, with nothing
    /// done, for any other shape, which then goes through <see cref="CheckProcedure"/> and <see cref="Parse.CheckDecimal"/>.
    /// </summary>
    bool IsPlainSv1()
    {
        var s = R.SegmentSpan;
        byte e = R.Delimiters.Element, c = R.Delimiters.Component;
        if (s.Length < 4 || s[3] != e) return false;
        int i = 4;
        while (i < s.Length && s[i] != c && s[i] != e) i++;
        if (i == s.Length || s[i] != c) return false;
        int codeStart = ++i;
        while (i < s.Length && s[i] != c && s[i] != e) i++;
        if (i == codeStart) return false;
        var code = s[codeStart..i];
        while (i < s.Length && s[i] != e) i++;
        if (i == s.Length) return false;
        int amountStart = ++i;
        while (i < s.Length && s[i] != e) i++;
        if (!Parse.IsDecimal(s[amountStart..i])) return false;
        if (!claimRelevant) claimRelevant = filter!.Matches(code);
        return true;
    }

    /// <summary>
    /// <see cref="HealthCodesMatch"/> over the segment's bytes, without splitting it into elements; an element without the
    /// declared component separator (a sender's own separator, a bare qualifier) hands the whole segment to it.
    /// </summary>
    bool HealthCodesMatchOnePass()
    {
        var s = R.SegmentSpan;
        byte e = R.Delimiters.Element, c = R.Delimiters.Component;
        int i = 2;
        if (s.Length < 3 || s[2] != e) return HealthCodesMatch();
        while (i < s.Length)
        {
            int start = ++i;
            while (i < s.Length && s[i] != c && s[i] != e) i++;
            if (i == s.Length || s[i] == e) return HealthCodesMatch();
            int colon = i;
            int codeStart = ++i;
            while (i < s.Length && s[i] != c && s[i] != e) i++;
            int codeEnd = i;
            while (i < s.Length && s[i] != e) i++;
            // Qualifier without a code, or no qualifier: nothing to match, as in HealthCodesMatch.
            if (colon == start || codeStart == i) continue;
            if (filter!.Matches(s[codeStart..codeEnd])) return true;
        }
        return false;
    }

    /// <summary>
    /// "CLM*id*301.00***11:B:1…" read from the segment's bytes: CLM01 present, CLM02 a valid amount, CLM05-1 present. What
    /// <see cref="DeferredClm"/> checks before opening the claim; false, with nothing done, for any other shape.
    /// </summary>
    bool IsPlainClm()
    {
        var s = R.SegmentSpan;
        byte e = R.Delimiters.Element, c = R.Delimiters.Component;
        if (s.Length < 4 || s[3] != e) return false;
        int i = 4;
        while (i < s.Length && s[i] != e) i++;
        if (i == 4 || i == s.Length) return false;
        int amountStart = ++i;
        while (i < s.Length && s[i] != e) i++;
        if (!Parse.IsDecimal(s[amountStart..i])) return false;
        // CLM03 and CLM04, then CLM05's first component.
        for (int skip = 0; skip < 2; skip++)
        {
            if (i == s.Length) return false;
            i++;
            while (i < s.Length && s[i] != e) i++;
        }
        if (i == s.Length) return false;
        int facility = ++i;
        return facility < s.Length && s[facility] != c && s[facility] != e;
    }

    /// <summary>The rest of <see cref="DeferredClm"/> once <see cref="IsPlainClm"/> has checked the segment.</summary>
    void OpenClaim()
    {
        CloseClaim();
        if (subscriberId is null && !subscriberCaptured) ThrowNoSubscriber();
        ResetDeferredClaim();
        claim.Begin(R);
        inClaim = true;
        inLine = false;
        entity = Entity.Other;
        n3Seen = n4Seen = false;
    }

    /// <summary>"DMG*D8*CCYYMMDD…" with a valid date: what <see cref="DeferredDmg"/> accepts without a word.</summary>
    bool IsPlainDmg()
    {
        var s = R.SegmentSpan;
        byte e = R.Delimiters.Element;
        return s.Length >= 15 && s[3] == e && s[4] == (byte)'D' && s[5] == (byte)'8' && s[6] == e && (s.Length == 15 || s[15] == e)
            && Parse.IsDate(s[7..]);
    }
}
