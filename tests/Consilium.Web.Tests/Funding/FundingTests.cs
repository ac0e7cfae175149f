using System.Net;
using System.Text.Json.Nodes;
using Consilium.Features.Funding;
using Consilium.Features.Identity;
using Consilium.Features.Programs;
using Consilium.Tests.Infrastructure;
using Consilium.Tests.Intake;
using Microsoft.EntityFrameworkCore;

namespace Consilium.Tests.Funding;

/// <summary>Grant funds (contributions, awards, refunds; never overdrawn, also under concurrent awards) and self-pay payments.</summary>
public sealed class FundingTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task ContributionsAwardsAndRefunds_MoveTheBalanceAndAreLedgered(DatabaseKind db)
    {
        var (app, fund, caseId, admin) = await ArrangeAsync(db, 1000m);

        var award = await (await admin.PostJsonAsync($"/api/funds/{fund}/awards", new { caseId, amount = 400m, note = "Case review" })).JsonAsync(HttpStatusCode.Created);
        var refund = await (await admin.PostJsonAsync($"/api/funds/{fund}/awards/{award["id"]}/refunds", new { amount = 150m })).JsonAsync(HttpStatusCode.OK);
        var tooMuch = await (await admin.PostJsonAsync($"/api/funds/{fund}/awards/{award["id"]}/refunds", new { amount = 250.01m })).JsonAsync(HttpStatusCode.BadRequest);
        var detail = await (await admin.GetAsync($"/api/funds/{fund}")).JsonAsync(HttpStatusCode.OK);

        Assert.Equal(150m, (decimal?)refund["refunded"]);
        Assert.Equal(["amount"], tooMuch.ErrorFields());
        Assert.Equal(750m, (decimal?)detail["fund"]!["balance"]);
        Assert.Equal([("Refund", 150m, 750m), ("Award", 400m, 600m), ("Contribution", 1000m, 1000m)],
            detail["ledger"]!.AsArray().Select(e => ((string)e!["kind"]!, (decimal)e["amount"]!, (decimal)e["balanceAfter"]!)));
        Assert.Equal((string?)award["caseNumber"], (string?)detail["awards"]![0]!["caseNumber"]);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task AnAwardThatWouldOverdrawTheFund_IsRefusedAndWritesNothing(DatabaseKind db)
    {
        var (app, fund, caseId, admin) = await ArrangeAsync(db, 100m);

        var refused = await (await admin.PostJsonAsync($"/api/funds/{fund}/awards", new { caseId, amount = 100.01m })).JsonAsync(HttpStatusCode.Conflict);
        var exact = await admin.PostJsonAsync($"/api/funds/{fund}/awards", new { caseId, amount = 100m });
        var empty = await admin.PostJsonAsync($"/api/funds/{fund}/awards", new { caseId, amount = 0.01m });

        Assert.Equal(100m, (decimal?)refused["balance"]);
        Assert.Equal(HttpStatusCode.Created, exact.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, empty.StatusCode);
        var (balance, awards) = await app.WithDbAsync(async d =>
            (await d.Set<GrantFund>().Where(f => f.Id == fund).Select(f => f.Balance).SingleAsync(), await d.Set<GrantAward>().CountAsync(a => a.FundId == fund)));
        Assert.Equal((0m, 1), (balance, awards));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task ConcurrentAwards_AreAllAppliedWhileTheyFitAndNeverOverdraw(DatabaseKind db)
    {
        var (app, fund, caseId, admin) = await ArrangeAsync(db, 1000m);

        var responses = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => admin.PostJsonAsync($"/api/funds/{fund}/awards", new { caseId, amount = 150m })));

        var statuses = responses.Select(r => (int)r.StatusCode).ToList();
        Assert.True(statuses.All(s => s is 201 or 409), string.Join(", ", statuses));
        Assert.Equal(6, statuses.Count(s => s == 201));
        var (balance, awarded, lowest) = await app.WithDbAsync(async d => (
            await d.Set<GrantFund>().Where(f => f.Id == fund).Select(f => f.Balance).SingleAsync(),
            (await d.Set<GrantAward>().Where(a => a.FundId == fund).Select(a => a.Amount).ToListAsync()).Sum(),
            (await d.Set<GrantFundEntry>().Where(e => e.FundId == fund).Select(e => e.BalanceAfter).ToListAsync()).Min()));
        Assert.Equal((100m, 900m), (balance, awarded));
        Assert.True(lowest >= 0m);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Both), MemberType = typeof(TestDatabase))]
    public async Task SelfPayPayment_IsMarkedPaidByAProgramAdminOnly(DatabaseKind db)
    {
        var app = await fixture.AppAsync(db);
        var program = (await app.CreateProgramAsync(FundingModel.SelfPay, 750m)).ProgramId;
        var nurse = await app.CreateUserAsync(Roles.Coordinator, [program]);
        using var nurseClient = app.BrowserLikeClient(nurse);
        var intake = await nurseClient.PostFormAsync("/intake",
        [
            new("Form.ProgramId", program.ToString()), new("Form.FirstName", "Ruth"), new("Form.LastName", "Feldman"), new("Form.DateOfBirth", "1962-10-11"),
            new("Form.Sex", "Female"), new("Form.State", "FL"), new("Form.Category", "Cardiac"), new("Form.Concern", "Mitral valve repair versus replacement."),
            new("Form.Questions", "Repair or replace?"), new("Form.StateOfResidence", "FL"), new("Form.HeardVia", "Self"),
        ]);
        Assert.Equal(HttpStatusCode.Redirect, intake.StatusCode);
        using var admin = app.ClientFor(await app.CreateUserAsync(Roles.ProgramAdmin, [program]));
        var pending = await (await admin.GetAsync("/api/payments?status=Pending")).JsonAsync(HttpStatusCode.OK);
        var payment = pending.AsArray().Single(p => (string?)p!["programName"] is { } name && name.StartsWith("Program", StringComparison.Ordinal)
            && (string?)p["memberName"] == "Ruth Feldman")!;
        var id = (string)payment["id"]!;

        var byNurse = await nurseClient.PostJsonAsync($"/api/payments/{id}/paid", new { method = "Check", reference = "1042" });
        var noReference = await (await admin.PostJsonAsync($"/api/payments/{id}/paid", new { method = "Check" })).JsonAsync(HttpStatusCode.BadRequest);
        var paid = await (await admin.PostJsonAsync($"/api/payments/{id}/paid", new { method = "Check", reference = "1042", version = 1 })).JsonAsync(HttpStatusCode.OK);
        var twice = await admin.PostJsonAsync($"/api/payments/{id}/paid", new { method = "Cash" });

        Assert.Equal(750m, (decimal?)payment["amount"]);
        Assert.Equal(HttpStatusCode.Forbidden, byNurse.StatusCode);
        Assert.Equal(["reference"], noReference.ErrorFields());
        Assert.Equal(("Paid", "Check", "1042"), ((string?)paid["status"], (string?)paid["method"], (string?)paid["reference"]));
        Assert.Equal(HttpStatusCode.Conflict, twice.StatusCode);
    }

    /// <summary>A grant-funded program with <paramref name="balance"/> contributed, one case in it, and its program admin.</summary>
    async Task<(TestApp App, Guid Fund, Guid CaseId, HttpClient Admin)> ArrangeAsync(DatabaseKind db, decimal balance)
    {
        var app = await fixture.AppAsync(db);
        var admin = app.ClientFor(await app.CreateUserAsync(Roles.ProgramAdmin));
        var sponsor = await (await admin.PostJsonAsync("/api/sponsors", new { name = "Foundation " + Guid.NewGuid().ToString("N")[..6], kind = "Hospital" })).JsonAsync(HttpStatusCode.Created);
        var program = await (await admin.PostJsonAsync("/api/programs", new
        {
            name = "Charity " + Guid.NewGuid().ToString("N")[..6], sponsorId = (string)sponsor["id"]!, funding = "GrantFund", categories = new[] { "Oncology" },
        })).JsonAsync(HttpStatusCode.Created);
        var programId = Guid.Parse((string)program["id"]!);
        var fund = Guid.Parse((string)program["grantFundId"]!);
        var contributed = await (await admin.PostJsonAsync($"/api/funds/{fund}/contributions", new { amount = balance, note = "Annual grant" })).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(balance, (decimal?)contributed["balance"]);
        var member = await app.EnrollAsync(programId, "G-" + Guid.NewGuid().ToString("N")[..6]);
        var caseId = await app.OpenCaseAsync(programId, member, null);
        return (app, fund, caseId, admin);
    }
}
