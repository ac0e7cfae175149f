using System.Runtime.CompilerServices;

namespace Consilium.X12.Transactions;

/// <summary>
/// The filtered path (<see cref="X12ReaderOptions.ClaimFilter"/>). Member and claim segments are validated as they
/// arrive with the same checks and messages as the full parse, and kept as raw bytes (the member's few segments one by
/// one, the claim as the range of the file from its CLM) instead of being turned into strings and objects. A claim
/// whose HI, SV1 or SV2 codes match the filter is then replayed through the full parse, segment by segment, from those
/// bytes; any other claim is counted and forgotten. Most claims of a plan match nothing a rule set looks for, so most
/// claims never allocate.
/// </summary>
sealed partial class Claim837Parser
{
    bool replaying;
    bool subscriberCaptured;
    bool claimRelevant;
    long deferredLines;
    readonly SegmentStore subscriberSegments = new();
    readonly SegmentStore patientSegments = new();
    readonly ClaimRange claim = new();
    X12SegmentReader? replayReader;
    Action<X12SegmentReader>? detachSegments;

    void ResetDeferredClaim()
    {
        claim.Clear();
        claimRelevant = false;
        deferredLines = 0;
    }

    void DeferredNm1()
    {
        if (hlLevel == 20)
        {
            OnNm1();
            return;
        }
        var code = Parse.EntityCode(R);
        n3Seen = n4Seen = false;
        entityKey = code.Length <= 3 ? X12SegmentReader.Key(code) : 0;
        if (code.SequenceEqual("IL"u8) && hlLevel == 22)
        {
            entity = Entity.Subscriber;
            subscriberCaptured = !R.GetElement(9).IsEmpty;
            subscriberSegments.Append(R);
            member = null;
        }
        else if (code.SequenceEqual("QC"u8))
        {
            entity = Entity.Patient;
            patientPresent = true;
            patientSegments.Append(R);
            member = null;
        }
        else entity = Entity.Other;
    }

    void DeferredDmg()
    {
        if (entity is not (Entity.Subscriber or Entity.Patient)) return;
        if (!R.GetElement(2).IsEmpty) Parse.CheckDateValue(R, 1);
        (entity == Entity.Subscriber ? subscriberSegments : patientSegments).Append(R);
        member = null;
    }

    void DeferredClm()
    {
        CloseClaim();
        if (subscriberId is null && !subscriberCaptured) ThrowNoSubscriber();
        if (R.GetElement(1).IsEmpty) throw R.SegmentError("expected CLM01 (claim submitter identifier), found nothing");
        Parse.CheckDecimal(R, 2, "a decimal amount (total claim charge)");
        var facility = R.GetElement(5);
        int a = Parse.Find(facility, R.Delimiters.Component);
        if ((a < 0 ? facility : facility[..a]).IsEmpty)
            throw R.SegmentError("expected CLM05 (facility code : qualifier : claim frequency, e.g. 11:B:1), found nothing");
        ResetDeferredClaim();
        claim.Begin(R);
        inClaim = true;
        inLine = false;
        entity = Entity.Other;
        n3Seen = n4Seen = false;
    }

    void DeferredDtp()
    {
        var qualifier = R.GetElement(1);
        if (qualifier.SequenceEqual("472"u8) || (!inLine && qualifier.SequenceEqual("434"u8)))
            Parse.CheckDateValue(R, 2);
    }

    /// <summary>Validates an SV1/SV2 procedure composite as <see cref="ReadProcedure"/> does and matches its code.</summary>
    void CheckProcedure(int element)
    {
        var composite = R.GetElement(element);
        if (composite.IsEmpty) return;
        byte sep = R.Delimiters.Component;
        int q = Parse.Find(composite, sep);
        if (q < 0)
        {
            sep = Parse.ComponentSeparator(composite, sep);
            q = Parse.Find(composite, sep);
        }
        var rest = q < 0 ? default : composite[(q + 1)..];
        int c = Parse.Find(rest, sep);
        var code = c < 0 ? rest : rest[..c];
        if (code.IsEmpty)
            throw R.SegmentError($"expected {R.SafeId()}{element:00}-2 (procedure code) after the qualifier '{Parse.Text(q < 0 ? composite : composite[..q])}', found nothing");
        if (!claimRelevant) claimRelevant = filter!.Matches(code);
    }

    /// <summary>Any code of an HI segment (the component after each qualifier) that the filter matches.</summary>
    bool HealthCodesMatch()
    {
        int count = R.ElementCount;
        byte declared = R.Delimiters.Component;
        for (int i = 1; i < count; i++)
        {
            var element = R.GetElement(i);
            int colon = Parse.Find(element, declared);
            if (colon < 0)
            {
                byte sep = Parse.ComponentSeparator(element, declared);
                if (sep == declared) continue;
                colon = Parse.Find(element, sep);
                if (colon <= 0 || colon == element.Length - 1) continue;
                var other = element[(colon + 1)..];
                int end = Parse.Find(other, sep);
                if (filter!.Matches(end < 0 ? other : other[..end])) return true;
                continue;
            }
            if (colon == 0 || colon == element.Length - 1) continue;
            var rest = element[(colon + 1)..];
            int next = Parse.Find(rest, declared);
            if (filter!.Matches(next < 0 ? rest : rest[..next])) return true;
        }
        return false;
    }

    void CloseDeferredClaim()
    {
        if (claimRelevant) Materialize();
        else Filtered(deferredLines);
        inClaim = false;
        inLine = false;
        ResetDeferredClaim();
    }

    /// <summary>Builds the member (if not built since its segments last changed) and the claim by replaying their segments through the full parse.</summary>
    void Materialize()
    {
        var live = R;
        var (savedEntity, savedHl, savedKey, savedN3, savedN4) = (entity, hlLevel, entityKey, n3Seen, n4Seen);
        replayReader ??= new X12SegmentReader(live.FileName);
        replaying = true;
        R = replayReader;
        try
        {
            if (member is null)
            {
                inClaim = false;
                ClearSubscriberFields();
                hlLevel = 22;
                entity = Entity.None;
                subscriberSegments.Replay(live, replayReader, OnSegment);
                if (savedHl == 23) ClearPatientFields();
                hlLevel = savedHl == 23 ? 23 : 22;
                entity = Entity.None;
                patientSegments.Replay(live, replayReader, OnSegment);
                member = BuildMember();
            }
            hlLevel = savedHl;
            inClaim = inLine = false;
            // The claim runs from its CLM to the segment closing it, the live reader's current one.
            claim.Replay(live, replayReader, live.SegmentOffset, OnSegment);
            CloseClaim();
        }
        finally
        {
            R = live;
            replaying = false;
            (entity, hlLevel, entityKey, n3Seen, n4Seen) = (savedEntity, savedHl, savedKey, savedN3, savedN4);
        }
    }

    void ThrowNoSubscriber() =>
        throw R.SegmentError("expected the subscriber (NM1*IL with a member identifier in NM109, loop 2010BA) before CLM");

    /// <summary>Copies the captured segments still in the reader's buffer out of it before the reader reuses that space.</summary>
    void DetachSegments(X12SegmentReader reader)
    {
        subscriberSegments.Detach(reader);
        patientSegments.Detach(reader);
        claim.Detach(reader);
    }

    /// <summary>
    /// Segments captured for a possible replay, with where they were in the file. A segment is not copied when captured:
    /// its bytes stay where they are in the live reader's buffer, and only when the reader is about to reuse that space
    /// (<see cref="X12SegmentReader.BeforeDiscard"/>, once per buffer fill) are the segments still held copied into one
    /// growing slab. Most claims are dropped long before that, so most segments are never copied at all.
    /// </summary>
    sealed class SegmentStore
    {
        byte[] bytes = new byte[2048];
        int used;
        // Start: index in the slab, or -1 while the bytes are still in the live reader's buffer at Offset.
        (int Start, int Length, int Key, long Offset, long Number)[] segments = new (int, int, int, long, long)[16];
        int count;
        int detached;

        public void Clear() => used = count = detached = 0;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Append(X12SegmentReader r)
        {
            var all = segments;
            int n = count;
            if ((uint)n >= (uint)all.Length)
            {
                Grow();
                all = segments;
            }
            all[n] = (-1, r.SegmentLength, r.SegmentKey, r.SegmentOffset, r.SegmentNumber);
            count = n + 1;
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        void Grow() => Array.Resize(ref segments, segments.Length * 2);

        public void Detach(X12SegmentReader live)
        {
            for (; detached < count; detached++)
            {
                ref var s = ref segments[detached];
                var span = live.Buffered(s.Offset, s.Length);
                if (used + span.Length > bytes.Length) Array.Resize(ref bytes, Math.Max(bytes.Length * 2, used + span.Length));
                span.CopyTo(bytes.AsSpan(used));
                s.Start = used;
                used += span.Length;
            }
        }

        public void Replay(X12SegmentReader live, X12SegmentReader reader, Action<int> onSegment)
        {
            for (int i = 0; i < count; i++)
            {
                var (start, length, key, offset, number) = segments[i];
                var span = start < 0 ? live.Buffered(offset, length) : bytes.AsSpan(start, length);
                reader.Load(span, live.Delimiters, offset, number, key);
                onSegment(key);
            }
        }
    }

    /// <summary>
    /// The open claim as a range of the file, from its CLM to the segment that closes it: nothing is noted per segment.
    /// Its bytes stay in the live reader's buffer; when the reader is about to reuse that space
    /// (<see cref="X12SegmentReader.BeforeDiscard"/>) the part read so far is copied out. A claim that matches is replayed by
    /// tokenizing its range again, which gives back the same segments with the same offsets and numbers.
    /// </summary>
    sealed class ClaimRange
    {
        byte[] bytes = new byte[4096];
        // Bytes of the claim copied out of the live buffer, from offset on.
        int used;
        long offset;
        long number;
        bool open;

        public void Begin(X12SegmentReader r)
        {
            offset = r.SegmentOffset;
            number = r.SegmentNumber;
            used = 0;
            open = true;
        }

        public void Clear()
        {
            open = false;
            used = 0;
        }

        public void Detach(X12SegmentReader live)
        {
            if (!open) return;
            long from = offset + used;
            Append(live.Buffered(from, checked((int)(live.BytesConsumed - from))));
        }

        public void Replay(X12SegmentReader live, X12SegmentReader reader, long end, Action<int> onSegment)
        {
            int kept = used;
            Append(live.Buffered(offset + used, checked((int)(end - offset - used))));
            reader.LoadRange(bytes.AsSpan(0, used), live, offset, number);
            used = kept;
            while (reader.TryReadBuffered()) onSegment(reader.SegmentKey);
        }

        void Append(ReadOnlySpan<byte> span)
        {
            if (used + span.Length > bytes.Length) Array.Resize(ref bytes, Math.Max(bytes.Length * 2, used + span.Length));
            span.CopyTo(bytes.AsSpan(used));
            used += span.Length;
        }
    }
}
