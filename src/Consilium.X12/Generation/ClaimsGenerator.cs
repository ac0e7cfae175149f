using System.Buffers.Text;
using System.Text;

namespace Consilium.X12.Generation;

public enum GeneratedClaimKinds { Professional, Institutional, Mixed }

public sealed record ClaimsGeneratorOptions
{
    /// <summary>The file grows to at least this many bytes, then the open envelopes are closed.</summary>
    public long TargetBytes { get; init; } = 1024 * 1024;
    public int Seed { get; init; } = 1;
    public GeneratedClaimKinds Kinds { get; init; } = GeneratedClaimKinds.Professional;
    /// <summary>Members planted with a catalog procedure, each a distinct member; cycles through <see cref="ClaimsGenerator.Catalog"/>.
    /// Most get one claim; imaging members get <see cref="PlantedProcedure.Claims"/> (3) studies 30 days apart.</summary>
    public int PlantedClaimCount { get; init; } = 24;
    public int ClaimsPerTransaction { get; init; } = 500;
    public int TransactionsPerInterchange { get; init; } = 20;
    /// <summary>Distinct members drawn from for the routine claims.</summary>
    public int MemberPool { get; init; } = 50_000;
}

/// <summary>A procedure the trigger engine looks for, with the codes that go with it in each claim type.
/// <paramref name="Claims"/> claims are planted for the member, 30 days apart (3 for imaging: a repeat-utilization pattern).</summary>
public sealed record PlantedProcedure(
    string Category,
    string Cpt,
    string Diagnosis,
    string? Pcs,
    string RevenueCode,
    int Claims = 1);

/// <summary>A claim the generator planted: the rule tests expect exactly these hits.</summary>
public sealed record PlantedClaim(
    string MemberId,
    string ClaimId,
    ClaimType ClaimType,
    PlantedProcedure Procedure);

public sealed record GeneratedClaimsManifest(
    long Bytes,
    long Claims,
    long ServiceLines,
    int Interchanges,
    int Transactions,
    IReadOnlyList<PlantedClaim> Planted);

/// <summary>
/// Writes valid 5010 837P (005010X222A1) and 837I (005010X223A2) of a requested size, reproducibly for a
/// seed, streaming through a small buffer so multi-gigabyte files cost no memory. Routine claims draw from
/// code lists that never contain a planted code, so a rule that looks for the planted procedures finds
/// exactly <see cref="GeneratedClaimsManifest.Planted"/>.
/// </summary>
public static class ClaimsGenerator
{
    public static IReadOnlyList<PlantedProcedure> Catalog { get; } =
    [
        new("spinal-fusion", "22630", "M4316", "0SG00AJ", "0360"),
        new("spinal-fusion", "22633", "M4316", "0SG0070", "0360"),
        new("spinal-fusion", "22612", "M5416", "0SG1071", "0360"),
        new("knee-replacement", "27447", "M1711", "0SRC0J9", "0360"),
        new("hip-replacement", "27130", "M1611", "0SR9019", "0360"),
        new("cabg", "33533", "I2510", "021009W", "0360"),
        new("pci", "92928", "I25110", "0270346", "0481"),
        new("mri", "70553", "G4489", null, "0610", 3),
        new("mri", "72148", "M5450", null, "0610", 3),
        new("ct", "74177", "R1030", null, "0350", 3),
        new("pet", "78815", "C3490", null, "0404", 3),
        new("chemotherapy", "96413", "C50911", null, "0335"),
    ];

    // Routine content: none of these codes appears in the catalog.
    static readonly string[] RoutineCpt = ["99213", "99214", "99203", "99396", "36415", "80053", "85025", "93000", "97110", "90471", "81002", "71046", "87880", "G0439"];
    static readonly string[] RoutineDiagnoses = ["I10", "E119", "E785", "J069", "Z0000", "K219", "F419", "N390", "Z23", "R051", "M25561", "J209", "R0789", "G4700", "I480"];
    static readonly (string Revenue, string? Hcpcs)[] RoutineRevenue = [("0450", "99284"), ("0300", "80053"), ("0320", "71046"), ("0250", null), ("0730", "93005"), ("0301", "85025")];
    static readonly string[] LastNames = ["SMITH", "JOHNSON", "WILLIAMS", "BROWN", "JONES", "GARCIA", "MILLER", "DAVIS", "RODRIGUEZ", "MARTINEZ", "HERNANDEZ", "LOPEZ", "GONZALEZ", "WILSON", "ANDERSON", "THOMAS", "TAYLOR", "MOORE", "JACKSON", "MARTIN"];
    static readonly string[] FirstNames = ["JAMES", "MARY", "ROBERT", "PATRICIA", "JOHN", "JENNIFER", "MICHAEL", "LINDA", "DAVID", "ELIZABETH", "WILLIAM", "BARBARA", "RICHARD", "SUSAN", "JOSEPH", "JESSICA", "THOMAS", "SARAH", "CHARLES", "KAREN"];
    static readonly string[] States = ["MA", "NY", "CA", "TX", "FL", "IL", "PA", "OH", "GA", "NC"];
    static readonly string[] Modifiers = ["25", "59", "RT", "LT"];

    const int ApproximateClaimBytes = 560;

    public static GeneratedClaimsManifest GenerateFile(string path, ClaimsGeneratorOptions options)
    {
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        return Generate(file, options);
    }

    public static GeneratedClaimsManifest Generate(Stream output, ClaimsGeneratorOptions options)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.ClaimsPerTransaction, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.TransactionsPerInterchange, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MemberPool, options.PlantedClaimCount + 1);
        return new Generator(output, options).Run();
    }

    sealed class Generator
    {
        readonly SegmentWriter w;
        readonly ClaimsGeneratorOptions options;
        readonly Random random;
        readonly List<PlantedClaim> planted = [];
        readonly Queue<(long At, int MemberIndex, ClaimType Type, PlantedProcedure Procedure, DateOnly Date)> plan = new();
        readonly HashSet<int> plantedMembers = [];
        long claims, lines, claimIndex;
        int interchanges, transactions;
        int hl;
        readonly DateOnly baseDate = new(2025, 1, 1);

        public Generator(Stream output, ClaimsGeneratorOptions options)
        {
            w = new SegmentWriter(output);
            this.options = options;
            random = new Random(options.Seed);
            long expectedClaims = Math.Max(options.TargetBytes / ApproximateClaimBytes, options.PlantedClaimCount + 1);
            for (int k = 0; k < options.PlantedClaimCount; k++)
            {
                int member;
                do member = random.Next(options.MemberPool); while (!plantedMembers.Add(member));
                var type = options.Kinds switch
                {
                    GeneratedClaimKinds.Professional => ClaimType.Professional,
                    GeneratedClaimKinds.Institutional => ClaimType.Institutional,
                    _ => k % 2 == 0 ? ClaimType.Professional : ClaimType.Institutional,
                };
                var procedure = Catalog[k % Catalog.Count];
                var at = (k + 1) * expectedClaims / (options.PlantedClaimCount + 1);
                var first = baseDate.AddDays(random.Next(300));
                for (int r = 0; r < procedure.Claims; r++) plan.Enqueue((at + r, member, type, procedure, first.AddDays(30 * r)));
            }
        }

        public GeneratedClaimsManifest Run()
        {
            int interchangeNo = 0;
            while (w.Written < options.TargetBytes || plan.Count > 0)
            {
                interchangeNo++;
                var type = options.Kinds switch
                {
                    GeneratedClaimKinds.Professional => ClaimType.Professional,
                    GeneratedClaimKinds.Institutional => ClaimType.Institutional,
                    // Past the target only planted claims are left: open the type they need.
                    _ when w.Written >= options.TargetBytes => plan.Peek().Type,
                    _ => interchangeNo % 2 == 1 ? ClaimType.Professional : ClaimType.Institutional,
                };
                WriteInterchange(interchangeNo, type);
            }
            w.Flush();
            return new GeneratedClaimsManifest(w.Written, claims, lines, interchanges, transactions, planted);
        }

        void WriteInterchange(int number, ClaimType type)
        {
            interchanges++;
            var control = number.ToString("D9");
            w.Raw("ISA*00*          *00*          *ZZ*CONSILIUMSUBMIT*ZZ*CONSILIUMPLAN  *250101*1200*^*00501*"u8);
            w.Ascii(control);
            w.Raw("*0*P*:"u8);
            w.End();
            w.Raw("GS*HC*CONSILIUMSUBMIT*CONSILIUMPLAN*20250101*1200*"u8);
            w.Int(number);
            w.Raw(type == ClaimType.Professional ? "*X*005010X222A1"u8 : "*X*005010X223A2"u8);
            w.End();
            int count = 0;
            while (count < options.TransactionsPerInterchange && (w.Written < options.TargetBytes || HasPlanned(type)))
            {
                count++;
                WriteTransaction(count, type);
            }
            w.Raw("GE*"u8);
            w.Int(count);
            w.Sep();
            w.Int(number);
            w.End();
            w.Raw("IEA*1*"u8);
            w.Ascii(control);
            w.End();
        }

        bool HasPlanned(ClaimType type) => plan.Count > 0 && plan.Peek().Type == type;

        void WriteTransaction(int number, ClaimType type)
        {
            transactions++;
            w.ResetSegmentCount();
            var control = number.ToString("D4");
            w.Raw("ST*837*"u8);
            w.Ascii(control);
            w.Raw(type == ClaimType.Professional ? "*005010X222A1"u8 : "*005010X223A2"u8);
            w.End();
            w.Raw("BHT*0019*00*"u8);
            w.Int(transactions);
            w.Raw("*20250101*1200*CH"u8);
            w.End();
            w.Raw("NM1*41*2*CONSILIUM CLEARINGHOUSE*****46*CLH0001"u8);
            w.End();
            w.Raw("PER*IC*EDI DESK*TE*8005550100"u8);
            w.End();
            w.Raw("NM1*40*2*CONSILIUM HEALTH PLAN*****46*PLAN001"u8);
            w.End();
            hl = 1;
            w.Raw("HL*1**20*1"u8);
            w.End();
            int provider = random.Next(5000);
            w.Raw("NM1*85*2*"u8);
            w.Ascii(type == ClaimType.Professional ? "CONSILIUM MEDICAL GROUP " : "CONSILIUM GENERAL HOSPITAL ");
            w.Int(provider);
            w.Raw("*****XX*"u8);
            w.Ascii(Npi(provider));
            w.End();
            w.Raw("N3*1 HEALTH WAY"u8);
            w.End();
            w.Raw("N4*BOSTON*MA*02110"u8);
            w.End();
            w.Raw("REF*EI*"u8);
            w.Int(100000000 + provider);
            w.End();

            for (int i = 0; i < options.ClaimsPerTransaction; i++)
            {
                bool past = w.Written >= options.TargetBytes;
                if (plan.Count > 0 && plan.Peek().Type == type && (plan.Peek().At <= claimIndex || past))
                {
                    var p = plan.Dequeue();
                    WriteClaim(type, p.MemberIndex, p.Procedure, p.Date);
                }
                else if (past) break;
                else
                {
                    int member;
                    do member = random.Next(options.MemberPool); while (plantedMembers.Contains(member) && random.Next(4) != 0);
                    WriteClaim(type, member, null, null);
                }
            }

            w.Raw("SE*"u8);
            w.Int(w.SegmentCount + 1);
            w.Sep();
            w.Ascii(control);
            w.End();
        }

        void WriteClaim(ClaimType type, int member, PlantedProcedure? procedure, DateOnly? plannedDate)
        {
            claims++;
            claimIndex++;
            var claimId = $"C{options.Seed:X4}{claimIndex:D10}";
            var memberId = MemberId(member);
            if (procedure is not null) planted.Add(new PlantedClaim(memberId, claimId, type, procedure));

            // Member demographics derive from the member number, so every claim of a member agrees.
            var demo = new Random(options.Seed * 7919 + member);
            hl++;
            w.Raw("HL*"u8);
            w.Int(hl);
            w.Raw("*1*22*0"u8);
            w.End();
            w.Raw("SBR*P*18*GRP"u8);
            w.Int(member % 97);
            w.Raw("******CI"u8);
            w.End();
            w.Raw("NM1*IL*1*"u8);
            w.Ascii(LastNames[demo.Next(LastNames.Length)]);
            w.Sep();
            w.Ascii(FirstNames[demo.Next(FirstNames.Length)]);
            w.Raw("****MI*"u8);
            w.Ascii(memberId);
            w.End();
            w.Raw("N3*"u8);
            w.Int(demo.Next(1, 999));
            w.Raw(" MAIN ST"u8);
            w.End();
            w.Raw("N4*SPRINGFIELD*"u8);
            w.Ascii(States[demo.Next(States.Length)]);
            w.Sep();
            w.Int(10000 + demo.Next(89999));
            w.End();
            w.Raw("DMG*D8*"u8);
            w.Date(new DateOnly(1940, 1, 1).AddDays(demo.Next(365 * 60)));
            w.Raw(demo.Next(2) == 0 ? "*F"u8 : "*M"u8);
            w.End();
            w.Raw("NM1*PR*2*CONSILIUM HEALTH PLAN*****PI*PLAN001"u8);
            w.End();

            var date = plannedDate ?? baseDate.AddDays(random.Next(365));
            int lineCount = procedure is null ? 1 + random.Next(4) : 1 + random.Next(2);
            Span<int> codes = stackalloc int[lineCount];
            Span<int> charges = stackalloc int[lineCount];
            long total = 0;
            for (int i = 0; i < lineCount; i++)
            {
                codes[i] = random.Next(type == ClaimType.Professional ? RoutineCpt.Length : RoutineRevenue.Length);
                charges[i] = 25 + random.Next(400);
                if (i == 0 && procedure is not null) charges[i] = 5000 + random.Next(40000);
                total += charges[i];
            }
            var dx1 = procedure?.Diagnosis ?? RoutineDiagnoses[random.Next(RoutineDiagnoses.Length)];
            var dx2 = RoutineDiagnoses[random.Next(RoutineDiagnoses.Length)];

            w.Raw("CLM*"u8);
            w.Ascii(claimId);
            w.Sep();
            w.Int(total);
            w.Raw(".00***"u8);
            if (type == ClaimType.Professional) w.Raw(procedure is null ? "11:B:1"u8 : "22:B:1"u8);
            else w.Raw(procedure?.Pcs is not null ? "11:A:1"u8 : "13:A:1"u8);
            w.Raw("*Y*A*Y*Y"u8);
            w.End();
            if (type == ClaimType.Institutional)
            {
                var to = procedure?.Pcs is not null ? date.AddDays(2 + random.Next(4)) : date;
                w.Raw("DTP*434*RD8*"u8);
                w.Date(date);
                w.Raw("-"u8);
                w.Date(to);
                w.End();
                if (procedure?.Pcs is not null)
                {
                    w.Raw("DTP*435*DT*"u8);
                    w.Date(date);
                    w.Raw("0800"u8);
                    w.End();
                    w.Raw("CL1*2*1*01"u8);
                    w.End();
                }
            }
            w.Raw("HI*ABK:"u8);
            w.Ascii(dx1);
            w.Raw("*ABF:"u8);
            w.Ascii(dx2);
            w.End();
            if (type == ClaimType.Institutional && procedure?.Pcs is not null)
            {
                w.Raw("HI*BBR:"u8);
                w.Ascii(procedure.Pcs);
                w.Raw(":D8:"u8);
                w.Date(date);
                w.End();
            }
            // Segments the trigger engine skips but real claims carry: clearinghouse trace, service facility, other payer.
            w.Raw("REF*D9*TRC"u8);
            w.Int(claimIndex);
            w.End();
            if (random.Next(10) < 3)
            {
                int facility = random.Next(2000);
                w.Raw("NM1*77*2*CONSILIUM CLINIC "u8);
                w.Int(facility);
                w.Raw("*****XX*"u8);
                w.Ascii(Npi(50000 + facility));
                w.End();
                w.Raw("N3*"u8);
                w.Int(facility);
                w.Raw(" CLINIC ROAD"u8);
                w.End();
                w.Raw("N4*WORCESTER*MA*01608"u8);
                w.End();
            }
            if (random.Next(10) == 0)
            {
                w.Raw("SBR*S*01*******CI"u8);
                w.End();
                w.Raw("OI***Y*P**Y"u8);
                w.End();
                w.Raw("NM1*IL*1*SPOUSE*OTHER****MI*S"u8);
                w.Ascii(memberId);
                w.End();
                w.Raw("NM1*PR*2*OTHER COMMERCIAL PAYER*****PI*OTH0001"u8);
                w.End();
            }
            int physician = random.Next(20000);
            w.Raw(type == ClaimType.Professional ? "NM1*82*1*"u8 : "NM1*71*1*"u8);
            w.Ascii(LastNames[physician % LastNames.Length]);
            w.Sep();
            w.Ascii(FirstNames[physician / LastNames.Length % FirstNames.Length]);
            w.Raw("****XX*"u8);
            w.Ascii(Npi(10000 + physician));
            w.End();
            if (type == ClaimType.Professional)
            {
                w.Raw("PRV*PE*PXC*207Q00000X"u8);
                w.End();
            }

            for (int i = 0; i < lineCount; i++)
            {
                lines++;
                w.Raw("LX*"u8);
                w.Int(i + 1);
                w.End();
                bool plantedLine = i == 0 && procedure is not null;
                if (type == ClaimType.Professional)
                {
                    w.Raw("SV1*HC:"u8);
                    w.Ascii(plantedLine ? procedure!.Cpt : RoutineCpt[codes[i]]);
                    if (!plantedLine && random.Next(5) == 0)
                    {
                        w.Raw(":"u8);
                        w.Ascii(Modifiers[random.Next(Modifiers.Length)]);
                    }
                    w.Sep();
                    w.Int(charges[i]);
                    w.Raw("*UN*1***1:2"u8);
                    w.End();
                }
                else
                {
                    var (revenue, hcpcs) = plantedLine ? (procedure!.RevenueCode, procedure.Cpt) : RoutineRevenue[codes[i]];
                    w.Raw("SV2*"u8);
                    w.Ascii(revenue);
                    w.Sep();
                    if (hcpcs is not null)
                    {
                        w.Raw("HC:"u8);
                        w.Ascii(hcpcs);
                    }
                    w.Sep();
                    w.Int(charges[i]);
                    w.Raw("*UN*1"u8);
                    w.End();
                }
                w.Raw("DTP*472*D8*"u8);
                w.Date(date);
                w.End();
                w.Raw("REF*6R*"u8);
                w.Int(claimIndex * 10 + i + 1);
                w.End();
            }
        }

        string MemberId(int member) => $"M{options.Seed % 100:D2}{member:D8}";

        /// <summary>A 10-digit NPI with a valid Luhn check digit (prefix 80840 as the NPI standard prescribes).</summary>
        static string Npi(int n)
        {
            var body = $"1{n % 100000000:D8}";
            int sum = 24;
            for (int i = 0; i < body.Length; i++)
            {
                int d = body[body.Length - 1 - i] - '0';
                if (i % 2 == 0)
                {
                    d *= 2;
                    if (d > 9) d -= 9;
                }
                sum += d;
            }
            return body + (char)('0' + (10 - sum % 10) % 10);
        }
    }

    /// <summary>Writes segments into a reusable buffer and flushes it to the stream; counts segments for SE01.</summary>
    sealed class SegmentWriter(Stream output)
    {
        readonly byte[] buffer = new byte[1 << 16];
        int used;
        long flushed;

        public long Written => flushed + used;
        public int SegmentCount { get; private set; }

        public void ResetSegmentCount() => SegmentCount = 0;

        public void Raw(ReadOnlySpan<byte> bytes)
        {
            if (used + bytes.Length > buffer.Length) Flush();
            bytes.CopyTo(buffer.AsSpan(used));
            used += bytes.Length;
        }

        public void Ascii(string s)
        {
            if (used + s.Length > buffer.Length) Flush();
            used += Encoding.ASCII.GetBytes(s, buffer.AsSpan(used));
        }

        public void Sep() => Raw("*"u8);

        public void Int(long value)
        {
            if (used + 20 > buffer.Length) Flush();
            Utf8Formatter.TryFormat(value, buffer.AsSpan(used), out int n);
            used += n;
        }

        public void Date(DateOnly d)
        {
            if (used + 8 > buffer.Length) Flush();
            d.TryFormat(buffer.AsSpan(used), out int n, "yyyyMMdd");
            used += n;
        }

        public void End()
        {
            Raw("~\n"u8);
            SegmentCount++;
        }

        public void Flush()
        {
            output.Write(buffer, 0, used);
            flushed += used;
            used = 0;
        }
    }
}
