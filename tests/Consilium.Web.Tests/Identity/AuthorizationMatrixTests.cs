using System.Net;
using Consilium.Features.Identity;
using Consilium.Tests.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Consilium.Tests.Identity;

/// <summary>
/// Every endpoint and page the application exposes, read from its own endpoint data source, against the policy this
/// table expects; then every role against every protected endpoint over HTTP. A new endpoint without an entry here,
/// or without a policy, fails.
/// </summary>
public sealed class AuthorizationMatrixTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    const string Anonymous = "(anonymous)";

    static readonly Dictionary<string, string> Expected = new()
    {
        ["GET /api/cases"] = Policies.CaseRead,
        ["POST /api/cases"] = Policies.CaseCreate,
        ["GET /api/cases/{id:guid}"] = Policies.CaseRead,
        ["POST /api/cases/{id:guid}/transitions"] = Policies.CaseTransition,
        ["GET /api/cases/{id:guid}/timeline"] = Policies.CaseRead,
        ["GET /api/worklist/events"] = Policies.WorklistEvents,
        ["POST /api/worklist/bulk"] = Policies.WorklistBulk,
        ["GET /api/members"] = Policies.MemberRead,
        ["GET /api/members/{id:guid}"] = Policies.MemberRead,
        ["POST /api/members"] = Policies.MemberWrite,
        ["GET /api/programs"] = Policies.ProgramRead,
        ["GET /api/programs/{id:guid}"] = Policies.ProgramRead,
        ["POST /api/programs"] = Policies.ProgramWrite,
        ["GET /api/sponsors"] = Policies.SponsorRead,
        ["GET /api/sponsors/{id:guid}"] = Policies.SponsorRead,
        ["POST /api/sponsors"] = Policies.SponsorWrite,
        ["GET /api/audit"] = Policies.AuditRead,
        ["GET /api/audit/export.csv"] = Policies.AuditRead,
        ["GET /api/audit/export.fhir.json"] = Policies.AuditRead,
        ["GET /api/audit/verify"] = Policies.AuditRead,
        ["POST /api/cases/{id:guid}/break-glass"] = Policies.BreakGlass,
        ["GET /api/cases/{id:guid}/consents"] = Policies.ConsentRead,
        ["POST /api/cases/{id:guid}/consents"] = Policies.ConsentSign,
        ["GET /api/cases/{id:guid}/consents/{consentId:guid}/pdf"] = Policies.ConsentRead,
        ["POST /api/cases/{id:guid}/consents/{consentId:guid}/revoke"] = Policies.ConsentRevoke,
        ["GET /api/cases/{id:guid}/records"] = Policies.RecordsRead,
        ["POST /api/cases/{id:guid}/record-requests"] = Policies.RecordsManage,
        ["POST /api/record-requests/{requestId:guid}/sent"] = Policies.RecordsManage,
        ["POST /api/record-requests/{requestId:guid}/items/{itemId:guid}"] = Policies.RecordsManage,
        ["POST /api/record-requests/{requestId:guid}/follow-ups"] = Policies.RecordsManage,
        ["GET /api/record-requests/{requestId:guid}/letter.pdf"] = Policies.RecordsManage,
        ["GET /api/records/worklist"] = Policies.RecordsManage,
        ["POST /api/record-requests/follow-ups"] = Policies.RecordsManage,
        ["PUT /api/programs/{id:guid}"] = Policies.ProgramWrite,
        ["POST /api/programs/{programId:guid}/rosters"] = Policies.RosterImport,
        ["GET /api/programs/{programId:guid}/rosters"] = Policies.RosterImport,
        ["POST /api/programs/{programId:guid}/eligibility"] = Policies.EligibilityCheck,
        ["POST /api/referrals"] = Policies.ReferralCreate,
        ["GET /api/cases/{id:guid}/intake"] = Policies.CaseRead,
        ["POST /api/cases/{id:guid}/coordinator"] = Policies.CaseAssign,
        ["GET /api/funds"] = Policies.FundManage,
        ["GET /api/funds/{id:guid}"] = Policies.FundManage,
        ["POST /api/funds/{id:guid}/contributions"] = Policies.FundManage,
        ["POST /api/funds/{id:guid}/awards"] = Policies.FundManage,
        ["POST /api/funds/{id:guid}/awards/{awardId:guid}/refunds"] = Policies.FundManage,
        ["GET /api/payments"] = Policies.PaymentManage,
        ["POST /api/payments/{id:guid}/paid"] = Policies.PaymentManage,
        ["POST /api/cases/{id:guid}/documents"] = Policies.DocumentsUpload,
        ["GET /api/cases/{id:guid}/documents"] = Policies.DocumentsRead,
        ["OPTIONS /api/cases/{id:guid}/uploads"] = Policies.DocumentsUpload,
        ["POST /api/cases/{id:guid}/uploads"] = Policies.DocumentsUpload,
        ["HEAD /api/cases/{id:guid}/uploads/{uploadId:guid}"] = Policies.DocumentsUpload,
        ["PATCH /api/cases/{id:guid}/uploads/{uploadId:guid}"] = Policies.DocumentsUpload,
        ["DELETE /api/cases/{id:guid}/uploads/{uploadId:guid}"] = Policies.DocumentsUpload,
        ["GET /api/cases/{id:guid}/clinical-timeline"] = Policies.DocumentsRead,
        ["GET /api/documents/{documentId:guid}"] = Policies.DocumentsRead,
        ["GET /api/documents/{documentId:guid}/content"] = Policies.DocumentsRead,
        ["POST /api/documents/{documentId:guid}/classification"] = Policies.RecordsManage,
        ["POST /api/documents/{documentId:guid}/patient-confirmation"] = Policies.RecordsManage,
        ["PAGE /cases/{id:guid}/clinical-timeline"] = Policies.DocumentsRead,
        ["PAGE /documents/{documentId:guid}"] = Policies.DocumentsRead,
        ["PAGE /my/cases/{id:guid}/documents"] = Policies.DocumentsUpload,
        ["GET /api/programs/{programId:guid}/trigger-rules"] = Policies.TriggersWork,
        ["PUT /api/programs/{programId:guid}/trigger-rules"] = Policies.ProgramWrite,
        ["POST /api/programs/{programId:guid}/trigger-rules/backtest"] = Policies.ProgramWrite,
        ["POST /api/programs/{programId:guid}/claims-files"] = Policies.ClaimsUpload,
        ["GET /api/programs/{programId:guid}/scan-jobs"] = Policies.ClaimsJobs,
        ["GET /api/programs/{programId:guid}/trigger-candidates"] = Policies.TriggersWork,
        ["GET /api/programs/{programId:guid}/outreach-summary"] = Policies.TriggersWork,
        ["GET /api/programs/{programId:guid}/outcomes"] = Policies.OutcomesRead,
        ["GET /api/programs/{programId:guid}/outcomes/export"] = Policies.OutcomesRead,
        ["GET /api/programs/{programId:guid}/outcomes/absence"] = Policies.OutcomesRead,
        ["GET /api/programs/{programId:guid}/outcomes/claims"] = Policies.OutcomesRead,
        ["GET /api/programs/{programId:guid}/outcomes/hospital"] = Policies.OutcomesRead,
        ["PUT /api/programs/{programId:guid}/host-institution"] = Policies.ProgramWrite,
        ["GET /api/programs/{programId:guid}/fair-access"] = Policies.OutcomesRead,
        ["GET /api/programs/{programId:guid}/provider-discordance"] = Policies.ProviderDiscordance,
        ["GET /api/programs/{programId:guid}/cost-table"] = Policies.OutcomesRead,
        ["PUT /api/programs/{programId:guid}/cost-table"] = Policies.ProgramWrite,
        ["PAGE /outcomes"] = Policies.OutcomesRead,
        ["GET /api/scan-jobs/{jobId:guid}"] = Policies.ClaimsJobs,
        ["GET /api/trigger-candidates/{candidateId:guid}"] = Policies.TriggersWork,
        ["POST /api/trigger-candidates/{candidateId:guid}/outreach"] = Policies.TriggersWork,
        ["POST /api/trigger-candidates/{candidateId:guid}/outcome"] = Policies.TriggersWork,
        ["POST /api/trigger-candidates/{candidateId:guid}/dismiss"] = Policies.TriggersWork,
        ["PAGE /triggers"] = Policies.TriggersWork,
        ["GET /api/physicians"] = Policies.NetworkRead,
        ["GET /api/physicians/{id:guid}"] = Policies.NetworkRead,
        ["POST /api/physicians/import"] = Policies.NetworkManage,
        ["POST /api/physicians/{id:guid}/status"] = Policies.NetworkManage,
        ["GET /api/network/licenses/expiring"] = Policies.NetworkRead,
        ["GET /api/network/coverage"] = Policies.NetworkRead,
        ["GET /api/network/state-rules"] = Policies.NetworkRead,
        ["PUT /api/network/state-rules/{state}"] = Policies.NetworkManage,
        ["GET /api/cases/{id:guid}/matches"] = Policies.CaseAssign,
        ["GET /api/cases/{id:guid}/offers"] = Policies.CaseAssign,
        ["POST /api/cases/{id:guid}/offers"] = Policies.CaseAssign,
        ["GET /api/offers/mine"] = Policies.OfferRespond,
        ["POST /api/offers/{offerId:guid}/accept"] = Policies.OfferRespond,
        ["POST /api/offers/{offerId:guid}/decline"] = Policies.OfferRespond,
        ["GET /api/stipends/statement"] = Policies.StipendManage,
        ["GET /api/stipends/statement.csv"] = Policies.StipendManage,
        ["GET /api/tokens"] = Policies.SignedIn,
        ["POST /api/tokens"] = Policies.SignedIn,
        ["DELETE /api/tokens/{id:guid}"] = Policies.SignedIn,
        ["* /health/live"] = Anonymous,
        ["* /health/ready"] = Anonymous,
        ["GET /openapi/{documentName}.json"] = Anonymous,
        ["GET /docs/{documentName?}"] = Anonymous,
        ["GET /docs/scalar.js"] = Anonymous,
        ["GET /docs/scalar.aspnetcore.js"] = Anonymous,
        ["GET /docs/favicon.svg"] = Anonymous,
        ["PAGE /"] = Anonymous,
        ["PAGE /signin"] = Anonymous,
        ["PAGE /denied"] = Anonymous,
        ["PAGE /signout"] = Policies.SignedIn,
        ["PAGE /signin/mfa"] = Anonymous,
        ["PAGE /account/mfa"] = Policies.SignedIn,
        ["PAGE /cases"] = Policies.CaseWorklist,
        ["PAGE /cases/{id:guid}"] = Policies.CaseRead,
        ["PAGE /my"] = Policies.CaseRead,
        ["PAGE /programs"] = Policies.ProgramOverview,
        ["PAGE /audit"] = Policies.AuditRead,
        ["PAGE /cases/{id:guid}/records"] = Policies.RecordsRead,
        ["PAGE /records"] = Policies.RecordsManage,
        ["PAGE /my/cases/{id:guid}/consent"] = Policies.ConsentSign,
        ["PAGE /intake"] = Policies.IntakePhone,
        ["PAGE /request"] = Anonymous,
        ["PAGE /request/{programId:guid}"] = Anonymous,
        ["PAGE /request/received/{caseId:guid}"] = Policies.CaseRead,
        ["PAGE /cases/{id:guid}/coordinator"] = Policies.CaseAssign,
        ["PAGE /sponsors"] = Policies.SponsorWrite,
        ["PAGE /programs/edit/{id:guid?}"] = Policies.ProgramWrite,
        ["PAGE /programs/{programId:guid}/roster"] = Policies.RosterImport,
        ["PAGE /funds"] = Policies.FundManage,
        ["PAGE /funds/{id:guid}"] = Policies.FundManage,
        ["PAGE /payments"] = Policies.PaymentManage,
        ["PAGE /network"] = Policies.NetworkRead,
        ["PAGE /network/physicians/{id:guid}"] = Policies.NetworkRead,
        ["PAGE /network/licenses"] = Policies.NetworkRead,
        ["PAGE /network/coverage"] = Policies.NetworkRead,
        ["PAGE /network/state-rules"] = Policies.NetworkManage,
        ["PAGE /network/import"] = Policies.NetworkManage,
        ["PAGE /network/stipends"] = Policies.StipendManage,
        ["PAGE /cases/{id:guid}/matching"] = Policies.CaseAssign,
        ["PAGE /offers"] = Policies.OfferRespond,
        ["GET /api/cases/{id:guid}/workspace"] = Policies.OpinionWrite,
        ["PUT /api/cases/{id:guid}/opinion/draft"] = Policies.OpinionWrite,
        ["DELETE /api/cases/{id:guid}/opinion/draft"] = Policies.OpinionWrite,
        ["POST /api/cases/{id:guid}/opinion/sign"] = Policies.OpinionWrite,
        ["POST /api/cases/{id:guid}/opinion/amendments"] = Policies.OpinionWrite,
        ["GET /api/cases/{id:guid}/reviewer-notes"] = Policies.OpinionWrite,
        ["PUT /api/cases/{id:guid}/reviewer-notes"] = Policies.OpinionWrite,
        ["GET /api/cases/{id:guid}/opinion"] = Policies.OpinionRead,
        ["GET /api/cases/{id:guid}/opinion/report.pdf"] = Policies.OpinionRead,
        ["GET /api/cases/{id:guid}/opinion/deliveries"] = Policies.OpinionDeliver,
        ["POST /api/cases/{id:guid}/opinion/deliveries"] = Policies.OpinionDeliver,
        ["POST /api/opinion-deliveries/{deliveryId:guid}/revoke"] = Policies.OpinionDeliver,
        ["GET /api/opinions/sla"] = Policies.OpinionSla,
        ["GET /reports/{token}/download"] = Anonymous,
        ["GET /api/cases/{id:guid}/care"] = Policies.CareManage,
        ["POST /api/cases/{id:guid}/briefings"] = Policies.CareManage,
        ["POST /api/navigation-tasks/{taskId:guid}"] = Policies.CareManage,
        ["POST /api/follow-ups/{followUpId:guid}"] = Policies.CareManage,
        ["GET /api/follow-ups"] = Policies.CareManage,
        ["GET /api/follow-ups/nps"] = Policies.CareManage,
        ["POST /api/consults/availability"] = Policies.ConsultHost,
        ["GET /api/consults/availability"] = Policies.ConsultHost,
        ["POST /api/consults/{slotId:guid}/cancel"] = Policies.ConsultRead,
        ["POST /api/consults/{slotId:guid}/notes"] = Policies.ConsultHost,
        ["GET /api/cases/{id:guid}/consult"] = Policies.ConsultRead,
        ["POST /api/cases/{id:guid}/consult"] = Policies.ConsultBook,
        ["GET /api/outbox"] = Policies.OutboxRead,
        ["PAGE /cases/{id:guid}/review"] = Policies.OpinionWrite,
        ["PAGE /my/cases/{id:guid}/opinion"] = Policies.OpinionRead,
        ["PAGE /cases/{id:guid}/care"] = Policies.CareManage,
        ["PAGE /reports/{token}"] = Anonymous,
        ["PAGE /consults"] = Policies.ConsultHost,
        ["PAGE /outbox"] = Policies.OutboxRead,
        ["PAGE /opinions/sla"] = Policies.OpinionSla,
        ["PAGE /follow-ups"] = Policies.CareManage,
        ["GET /api/cases/{id:guid}/studies/{studyUid}/metadata"] = Policies.ImagingView,
        ["GET /api/cases/{id:guid}/studies/{studyUid}/series/{seriesUid}/instances/{instanceUid}/rendered"] = Policies.ImagingView,
        ["GET /api/cases/{id:guid}/studies/{studyUid}/series/{seriesUid}/instances/{instanceUid}/frames/{frame}"] = Policies.ImagingView,
        ["PAGE /cases/{id:guid}/studies/{studyUid}/viewer"] = Policies.ImagingView,
        ["GET /api/imaging/unmatched"] = Policies.ImagingTriage,
        ["POST /api/imaging/unmatched/{id:guid}/attach"] = Policies.ImagingTriage,
        ["POST /api/imaging/unmatched/{id:guid}/dismiss"] = Policies.ImagingTriage,
        ["PAGE /imaging/unmatched"] = Policies.ImagingTriage,
        ["GET /fhir/metadata"] = Anonymous,
        ["POST /fhir"] = Policies.ReferralCreate,
        ["GET /fhir/Patient"] = Policies.MemberRead,
        ["GET /fhir/Patient/{id}"] = Policies.MemberRead,
        ["GET /fhir/ServiceRequest"] = Policies.CaseRead,
        ["GET /fhir/ServiceRequest/{id}"] = Policies.CaseRead,
        ["GET /fhir/Task"] = Policies.CaseRead,
        ["GET /fhir/Task/{id}"] = Policies.CaseRead,
        ["GET /fhir/Consent"] = Policies.ConsentRead,
        ["GET /fhir/Consent/{id}"] = Policies.ConsentRead,
        ["GET /fhir/DocumentReference"] = Policies.DocumentsRead,
        ["GET /fhir/DocumentReference/{id}"] = Policies.DocumentsRead,
        ["GET /fhir/Binary/{id}"] = Policies.DocumentsRead,
        ["GET /fhir/ImagingStudy"] = Policies.DocumentsRead,
        ["GET /fhir/ImagingStudy/{id}"] = Policies.DocumentsRead,
        ["GET /fhir/DiagnosticReport"] = Policies.OpinionRead,
        ["GET /fhir/DiagnosticReport/{id}"] = Policies.OpinionRead,
        ["GET /fhir/Composition"] = Policies.OpinionRead,
        ["GET /fhir/Composition/{id}"] = Policies.OpinionRead,
        ["GET /fhir/AuditEvent"] = Policies.AuditRead,
        ["GET /fhir/AuditEvent/{id}"] = Policies.AuditRead,
    };

    [Fact]
    public async Task EveryEndpoint_HasTheExpectedPolicy()
    {
        var app = await fixture.AppAsync(DatabaseKind.Sqlite);

        var actual = Endpoints(app).ToDictionary(e => e.Key, e => e.Policy);

        Assert.True(Expected.Keys.Order().SequenceEqual(actual.Keys.Order()),
            "Endpoints differ from the table. Actual: " + string.Join(", ", actual.Select(kv => $"{kv.Key} = {kv.Value}")));
        foreach (var (key, policy) in Expected) Assert.True(policy == actual[key], $"{key}: expected {policy}, found {actual[key]}");
    }

    public static IEnumerable<TheoryDataRow<DatabaseKind, string>> RolesOnBoth() =>
        from db in new[] { DatabaseKind.Sqlite, DatabaseKind.Postgres }
        from role in Roles.All.Append(Anonymous)
        select new TheoryDataRow<DatabaseKind, string>(db, role);

    [Theory]
    [MemberData(nameof(RolesOnBoth))]
    public async Task EachRole_IsAdmittedExactlyWhereItsPolicyAllows(DatabaseKind db, string role)
    {
        var app = await fixture.AppAsync(db);
        var scenario = await app.SeedScenarioAsync();
        using var client = role == Anonymous
            ? app.AnonymousClient()
            : app.ClientFor(await app.CreateUserAsync(role, [scenario.ProgramId],
                memberId: role == Roles.Patient ? scenario.MemberId : null, sponsorId: role == Roles.SponsorAnalyst ? scenario.SponsorId : null));
        var failures = new List<string>();

        foreach (var (key, policy) in Expected.Where(e => e.Value != Anonymous))
        {
            var (method, template) = (key[..key.IndexOf(' ')], key[(key.IndexOf(' ') + 1)..]);
            if (method == "PAGE") method = "GET";
            var url = System.Text.RegularExpressions.Regex.Replace(template, @"\{[A-Za-z]+:guid\??\}", _ => Guid.NewGuid().ToString());
            using var request = new HttpRequestMessage(new HttpMethod(method), url);
            if (method == "POST") request.Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json");
            // The worklist's event stream never ends by itself: its status is all there is to read.
            using var response = await client.SendAsync(request, template.EndsWith("/events", StringComparison.Ordinal)
                ? HttpCompletionOption.ResponseHeadersRead : HttpCompletionOption.ResponseContentRead);
            var status = (int)response.StatusCode;
            var isPage = key.StartsWith("PAGE", StringComparison.Ordinal);

            if (role == Anonymous)
            {
                var refused = isPage ? status == 302 && response.Headers.Location!.ToString().Contains("/signin") : status == 401;
                if (!refused) failures.Add($"{key}: anonymous got {status}");
            }
            else if (Policies.RolesByPolicy[policy].Contains(role))
            {
                if (status is 401 or 403) failures.Add($"{key}: {role} should be admitted but got {status}");
            }
            else
            {
                // A page refuses a cookie session by redirecting to /denied and a bearer token with a plain 403.
                var forbidden = status == 403 || isPage && status == 302 && response.Headers.Location!.ToString().Contains("/denied");
                if (!forbidden) failures.Add($"{key}: {role} should be refused but got {status}");
            }
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    static IEnumerable<(string Key, string Policy)> Endpoints(TestApp app)
    {
        var source = app.Services.GetRequiredService<EndpointDataSource>();
        foreach (var endpoint in source.Endpoints.OfType<RouteEndpoint>())
        {
            var pattern = "/" + (endpoint.RoutePattern.RawText ?? "").Trim('/');
            var isPage = endpoint.Metadata.Any(m => m.GetType().Name == "PageActionDescriptor" || m is Microsoft.AspNetCore.Mvc.RazorPages.CompiledPageActionDescriptor);
            var methods = endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["*"];
            var policy = endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null
                ? Anonymous
                : string.Join("+", endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy ?? $"roles:{a.Roles}"));
            if (policy.Length == 0) policy = "(none)";
            foreach (var method in methods)
                yield return (isPage ? $"PAGE {pattern}" : $"{method} {pattern}", policy);
        }
    }
}
