using System.Security.Cryptography;
using Consilium.X12.Generation;

namespace Consilium.X12.Tests;

public class ClaimsGeneratorTests
{
    static (byte[] Bytes, GeneratedClaimsManifest Manifest) Generate(ClaimsGeneratorOptions options)
    {
        using var stream = new MemoryStream();
        var manifest = ClaimsGenerator.Generate(stream, options);
        return (stream.ToArray(), manifest);
    }

    [Theory]
    [InlineData(GeneratedClaimKinds.Professional)]
    [InlineData(GeneratedClaimKinds.Institutional)]
    [InlineData(GeneratedClaimKinds.Mixed)]
    public void Generate_ThenReadStrict_FindsExactlyThePlantedClaims(GeneratedClaimKinds kinds)
    {
        var (bytes, manifest) = Generate(new ClaimsGeneratorOptions { TargetBytes = 2_000_000, Seed = 7, Kinds = kinds, ClaimsPerTransaction = 300 });
        var catalogCodes = ClaimsGenerator.Catalog.SelectMany(p => new[] { p.Cpt, p.Pcs }).OfType<string>().ToHashSet();
        var hits = new List<(string Member, string Claim, string Code)>();

        var result = X12Reader.Read(new MemoryStream(bytes), "generated.edi", e =>
        {
            var claim = (ClaimEvent)e;
            foreach (var code in claim.Lines.Select(l => l.ProcedureCode).Concat(claim.Procedures.Select(p => p.Code)))
                if (code is not null && catalogCodes.Contains(code)) hits.Add((claim.Member.MemberId, claim.ClaimId, code));
        });

        Assert.Empty(result.Errors);
        Assert.InRange(manifest.Bytes, 2_000_000, 2_100_000);
        Assert.Equal(manifest.Bytes, bytes.Length);
        Assert.Equal((manifest.Claims, manifest.ServiceLines), (result.ClaimCount, result.ServiceLineCount));
        // 24 members: 16 with one planted claim, 8 imaging members with three studies each.
        Assert.Equal(40, manifest.Planted.Count);
        var expected = manifest.Planted.SelectMany(p => p.ClaimType == ClaimType.Institutional && p.Procedure.Pcs is not null
                ? new[] { (p.MemberId, p.ClaimId, p.Procedure.Cpt), (p.MemberId, p.ClaimId, p.Procedure.Pcs) }
                : [(p.MemberId, p.ClaimId, p.Procedure.Cpt)])
            .Order().ToList();
        Assert.Equal(expected, hits.Order().ToList());
        Assert.Equal(24, manifest.Planted.Select(p => p.MemberId).Distinct().Count());
    }

    [Fact]
    public void Generate_PlantedChemotherapy_CarriesCancerDiagnosis()
    {
        var (bytes, manifest) = Generate(new ClaimsGeneratorOptions { TargetBytes = 500_000, Seed = 3 });
        var chemo = manifest.Planted.First(p => p.Procedure.Cpt == "96413");
        ClaimEvent? found = null;

        X12Reader.Read(new MemoryStream(bytes), "generated.edi", e => { if (e is ClaimEvent c && c.ClaimId == chemo.ClaimId) found = c; });

        Assert.NotNull(found);
        Assert.StartsWith("C", found.PrincipalDiagnosis?.Code);
        Assert.Equal(chemo.MemberId, found.Member.MemberId);
    }

    [Fact]
    public void Generate_SameSeed_SameBytes_OtherSeed_OtherBytes()
    {
        var options = new ClaimsGeneratorOptions { TargetBytes = 300_000, Seed = 11, Kinds = GeneratedClaimKinds.Mixed };

        var a = SHA256.HashData(Generate(options).Bytes);
        var b = SHA256.HashData(Generate(options).Bytes);
        var c = SHA256.HashData(Generate(options with { Seed = 12 }).Bytes);

        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void Generate_SmallTarget_StillWritesEveryPlantedClaim()
    {
        var (bytes, manifest) = Generate(new ClaimsGeneratorOptions { TargetBytes = 1, Seed = 5, Kinds = GeneratedClaimKinds.Mixed, PlantedClaimCount = 6 });

        var result = X12Reader.Read(new MemoryStream(bytes), "tiny.edi", _ => { });

        Assert.Equal(6, manifest.Planted.Count);
        Assert.Equal(6, result.ClaimCount);
    }
}
