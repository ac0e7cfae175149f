using System.Net;
using System.Text;
using Consilium.Features.Documents;
using Consilium.Features.Fhir;
using Consilium.Features.Identity;
using Consilium.Tests.Infrastructure;
using Consilium.Tests.Intake;
using Hl7.Fhir.Model;
using Task = System.Threading.Tasks.Task;

namespace Consilium.Tests.Fhir;

/// <summary>
/// Inputs the fuzzer (fuzz/run.sh fhir, docs/security.md) found: a JSON property named "" anywhere made the FHIR SDK's
/// deserializer throw IndexOutOfRangeException, a 500 from POST /fhir and from a FHIR bundle upload. Each is now a 4xx that
/// says what is wrong and where.
/// </summary>
public sealed class FhirFuzzRegressionTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    public static TheoryData<string> EmptyPropertyNames =>
    [
        // As AFL++ found it (id:000004, from the ServiceRequest example after havoc mutations): cut short, a backspace, and "".
        "{\n  \"resourceType\": \"SErviceRequestuestst\",\n  \"id\": \"ele\",\n  \"\": { \bstatus\": \"d\",\n\"div\": \"",
        // Minimized by hand: the empty name at the top, first, and nested in a transaction entry.
        "{\"resourceType\":\"Patient\",\"\":\"\"}",
        "{\"\":1,\"resourceType\":\"Patient\"}",
        "{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[{\"resource\":{\"resourceType\":\"Patient\",\"name\":[{\"\":{}}]}}]}",
    ];

    [Theory]
    [MemberData(nameof(EmptyPropertyNames))]
    public void APropertyNamedEmpty_IsA400NamingIt_NotAnIndexOutOfRange(string body)
    {
        var e = Assert.Throws<FhirInputException>(() => FhirApi.Parse(new MemoryStream(Encoding.UTF8.GetBytes(body))));
        Assert.Equal(400, e.Status);
        var issue = Assert.Single(e.Issues);
        Assert.Equal("structure", issue.Code);
        Assert.Matches(@"empty name \(""""\) at byte \d+", issue.Message);
    }

    [Theory]
    [MemberData(nameof(EmptyPropertyNames))]
    public async Task APropertyNamedEmpty_InAnUploadedBundle_IsANamedRejection(string body)
    {
        var e = await Assert.ThrowsAsync<DocumentRejectedException>(() => FhirBundleImport.ReadAsync(new MemoryStream(Encoding.UTF8.GetBytes(body)), 1 << 20,
            new MemberIdentity("Ana", "Rivera", new DateOnly(1971, 4, 12)), CancellationToken.None));
        Assert.Equal(422, e.Status);
        Assert.Contains("empty name", e.Message);
    }

    [Fact]
    public void TheScan_FindsAnEmptyNameAcrossItsBufferBoundary_AndLeavesTheStreamWhereItWas()
    {
        // Past the 64 KiB the scan reads at a time, after a string that straddles the boundary.
        var json = "{\"resourceType\":\"Patient\",\"name\":[{\"text\":\"" + new string('x', 70_000) + "\"}],\"\":1}";
        var stream = new MemoryStream(Encoding.UTF8.GetBytes(json));
        var e = Assert.Throws<EmptyPropertyNameException>(() => FhirJsonGuard.RejectEmptyPropertyNames(stream));
        Assert.Equal(json.LastIndexOf("\"\"", StringComparison.Ordinal), e.ByteOffset);

        var valid = new MemoryStream(Encoding.UTF8.GetBytes(json.Replace(",\"\":1", "", StringComparison.Ordinal)));
        valid.Position = 0;
        FhirJsonGuard.RejectEmptyPropertyNames(valid);
        Assert.Equal(0, valid.Position);
        Assert.IsType<Patient>(FhirApi.Parse(valid));
    }

    [Fact]
    public async Task PostFhir_WithAPropertyNamedEmpty_AnswersAnOperationOutcome400_AndOpensNoCase()
    {
        var app = await fixture.AppAsync(DatabaseKind.Sqlite);
        var program = (await app.CreateProgramAsync()).ProgramId;
        using var partner = app.ClientFor(await app.CreateUserAsync(Roles.Integration, [program]));
        var body = FhirTestData.Json(FhirTestData.Referral(program, "FUZZ-1")).Replace("\"status\":\"active\"", "\"\":\"active\"", StringComparison.Ordinal);
        Assert.Contains("\"\":\"active\"", body);

        var response = await partner.PostAsync("/fhir", new StringContent(body, Encoding.UTF8, "application/fhir+json"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{response.StatusCode}: {text}");
        var outcome = FhirTestData.Parse<OperationOutcome>(text);
        Assert.Contains(outcome.Issue, i => i.Diagnostics?.Contains("empty name", StringComparison.Ordinal) == true || i.Details?.Text?.Contains("empty name", StringComparison.Ordinal) == true);
        Assert.Equal(0, await app.WithDbAsync(d => Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.CountAsync(d.Cases, c => c.ProgramId == program)));
    }
}
