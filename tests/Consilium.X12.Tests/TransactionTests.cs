namespace Consilium.X12.Tests;

public class ClaimTransactionTests
{
    static ClaimEvent Single(string folder, string file, X12ReaderOptions? options = null) =>
        Assert.IsType<ClaimEvent>(Assert.Single(SharedData.Read(SharedData.X12(folder, file), options).Events));

    [Fact]
    public void Read_AmbulanceClaim_MapsMemberClaimDiagnosesAndLines()
    {
        var claim = Single("837p", "badx12__X222-ambulance.edi");

        Assert.Equal("012345678A", claim.Member.MemberId);
        Assert.Equal(("JONES", "SARAH", "A"), (claim.Member.LastName, claim.Member.FirstName, claim.Member.MiddleName));
        Assert.Equal(new DateOnly(1963, 7, 29), claim.Member.BirthDate);
        Assert.Equal("F", claim.Member.Sex);
        Assert.True(claim.Member.IsSubscriber);
        Assert.Equal("051068", claim.ClaimId);
        Assert.Equal(766.50m, claim.TotalCharge);
        Assert.Equal(("41", "B", "1"), (claim.PlaceOfService, claim.FacilityCodeQualifier, claim.FrequencyCode));
        Assert.Equal("2366554859", claim.BillingNpi);
        Assert.Equal(["8628", "E8888", "9592", "8540"], claim.Diagnoses.Select(d => d.Code));
        Assert.Equal(DiagnosisKind.Principal, claim.Diagnoses[0].Kind);
        Assert.All(claim.Diagnoses, d => Assert.Equal(CodeSystem.Icd9Cm, d.CodeSystem));
        Assert.Equal(["A0427", "A0425", "A0422", "A0382"], claim.Lines.Select(l => l.ProcedureCode));
        Assert.All(claim.Lines, l => Assert.Equal(["RH"], l.Modifiers));
        Assert.Equal([700m, 8.20m, 46m, 12.30m], claim.Lines.Select(l => l.Charge));
        Assert.Equal(21m, claim.Lines[1].Units);
        Assert.Equal([1, 2, 3, 4], claim.Lines[0].DiagnosisPointers);
        Assert.Equal((new DateOnly(2005, 2, 8), new DateOnly(2005, 2, 8)), (claim.ServiceFrom, claim.ServiceTo));
        Assert.Equal(("000010216", "20213", "000017712", "005010X222A1"),
            (claim.Transaction!.InterchangeControlNumber, claim.Transaction.GroupControlNumber, claim.Transaction.TransactionControlNumber, claim.Transaction.ImplementationVersion));
    }

    [Fact]
    public void Read_PatientLoop_MemberIsThePatientNotTheOtherSubscriber()
    {
        var claim = Single("837p", "badx12__X222-out-of-network-repriced-claim.edi");

        Assert.Equal("57976235C", claim.Member.MemberId);
        Assert.Equal(("SMITH", "TOM"), (claim.Member.LastName, claim.Member.FirstName));
        Assert.False(claim.Member.IsSubscriber);
        Assert.Equal("57976235C", claim.Member.SubscriberId);
        Assert.Equal("TS234H3", claim.ClaimId);
        Assert.Equal("1112223336", claim.RenderingNpi);
        Assert.Equal("1122334455", claim.BillingNpi);
        Assert.Equal("99284", Assert.Single(claim.Lines).ProcedureCode);
    }

    [Fact]
    public void Read_CrTerminatedIndentedFileWithPatient_UsesPatientDemographics()
    {
        var claim = Single("837p", "oopfactory__5010_ST1309-XX.txt");

        Assert.Equal(("X9999999", "JONES", "C ANN", "19"), (claim.Member.MemberId, claim.Member.LastName, claim.Member.FirstName, claim.Member.Relationship));
        Assert.Equal(new DateOnly(1998, 6, 25), claim.Member.BirthDate);
        Assert.Equal(["99204", "73610"], claim.Lines.Select(l => l.ProcedureCode));
    }

    [Fact]
    public void Read_InstitutionalClaim_MapsRevenueCodesPcsAndSkipsNonDiagnosisCodes()
    {
        // GS08 says X222 (professional); the content (ST03 X223, SV2, CL1) wins.
        var claim = Single("837i", "oopfactory__5010_InstitutionalClaim5010.txt", SharedFileTests.Options(SharedFileTests.Mode.CountsOff));

        Assert.Equal(ClaimType.Institutional, claim.ClaimType);
        Assert.Equal(("756048Q", 89.93m, "14", "A"), (claim.ClaimId, claim.TotalCharge, claim.PlaceOfService, claim.FacilityCodeQualifier));
        Assert.Equal(["3669", "4019", "79431"], claim.Diagnoses.Select(d => d.Code));
        Assert.Equal(["0B110F5", "02139Y3", "4A025N8"], claim.Procedures.Select(p => p.Code));
        Assert.True(claim.Procedures[0].IsPrincipal);
        Assert.Equal(CodeSystem.Icd10Pcs, claim.Procedures[0].CodeSystem);
        Assert.Equal(new DateOnly(2005, 3, 21), claim.Procedures[0].Date);
        Assert.Equal(new DateOnly(1996, 9, 11), claim.AdmissionDate);
        Assert.Equal(["0305", "0730"], claim.Lines.Select(l => l.RevenueCode));
        Assert.Equal(["85025", "93005"], claim.Lines.Select(l => l.ProcedureCode));
        Assert.Equal(["AA", "BB", "CC", "DD"], claim.Lines[1].Modifiers);
        Assert.Equal(("JONES", "JOHN"), (claim.AttendingProvider?.Name, claim.AttendingProvider?.FirstName));
    }

    [Fact]
    public void Read_4010ClaimWithEinBillingProvider_HasNoBillingNpi()
    {
        var claim = Single("837p", "tigershark__4010_837-example.txt");

        Assert.Null(claim.BillingNpi);
        Assert.Equal(("24", "12-3456789"), (claim.BillingProvider?.IdQualifier, claim.BillingProvider?.Id));
        Assert.Equal("0777-0777-12345678", claim.ClaimId);
        Assert.Equal(["U1", "U8"], claim.Lines.Select(l => Assert.Single(l.Modifiers)));
        Assert.Equal("004010X098A1", claim.Transaction!.ImplementationVersion);
    }

    [Fact]
    public void Read_ComponentSeparatorDifferentFromIsa16_IsSniffed()
    {
        // ISA16 declares '^' but the file writes "HC:85025" and "BK:..." (OopFactory's Spec_3.1.1).
        var claim = Single("837i", "oopfactory__5010_Spec_3.1.1.txt");

        Assert.Equal(["85025", "93005"], claim.Lines.Select(l => l.ProcedureCode));
        Assert.NotEmpty(claim.Diagnoses);
    }
}

public class AuthorizationTransactionTests
{
    static AuthorizationEvent Single(string file) =>
        Assert.IsType<AuthorizationEvent>(Assert.Single(SharedData.Read(SharedData.X12("278", file)).Events));

    [Fact]
    public void Read_278Request_MapsMemberServiceAndProviders()
    {
        var request = Single("oopfactory__5010_278_Example_3_2_1_Request.txt");

        Assert.False(request.IsResponse);
        Assert.Equal("13", request.Purpose);
        Assert.Equal(("12345678901", "SMITH", "JOE"), (request.Member.MemberId, request.Member.LastName, request.Member.FirstName));
        Assert.Equal(("AR", "I", "2", "21"), (request.RequestCategory, request.CertificationType, request.ServiceType, request.FacilityCode));
        Assert.Equal("41090", Assert.Single(request.Diagnoses).Code);
        Assert.Equal(new DateOnly(2005, 5, 16), request.AdmissionDate);
        Assert.Equal(("1P", "WATSON"), (request.RequestingProvider?.EntityCode, request.RequestingProvider?.Name));
        Assert.Equal(("FA", "000012121"), (request.ServicingProvider?.EntityCode, request.ServicingProvider?.Id));
        var service = Assert.Single(request.Services);
        Assert.Equal(("HC", "33510", "HS"), (service.ProcedureQualifier, service.ProcedureCode, service.RequestCategory));
        Assert.Equal(new DateOnly(2005, 5, 16), service.ServiceFrom);
        Assert.Equal(("SJ", "987654321"), (service.ServicingProvider?.EntityCode, service.ServicingProvider?.Id));
        Assert.Null(service.Decision);
    }

    [Fact]
    public void Read_278Response_MapsDecisions()
    {
        var response = Single("oopfactory__5010_278_Example_3_2_2_Response.txt");

        Assert.True(response.IsResponse);
        Assert.Equal(("A6", "AUTH0002"), (response.Decision, response.CertificationNumber));
        var service = Assert.Single(response.Services);
        Assert.Equal(("A1", "AUTH0002", "33510"), (service.Decision, service.CertificationNumber, service.ProcedureCode));
    }

    [Fact]
    public void Read_4010Requests_OneEventPerTransactionWithSubscriberLevelDiagnosis()
    {
        var (events, result) = SharedData.Read(SharedData.X12("278", "tigershark__4010_278_13_TXNS.txt"));
        var first = (AuthorizationEvent)events[0];

        Assert.Equal(5, result.TransactionCount);
        Assert.Equal(("yjw88034076701", "burton"), (first.Member.MemberId, first.Member.LastName));
        Assert.Equal(new DateOnly(1990, 8, 15), first.Member.BirthDate);
        Assert.Equal("7061", Assert.Single(first.Diagnoses).Code);
        Assert.Equal(("24", "161590688"), (first.RequestingProvider?.IdQualifier, first.RequestingProvider?.Id));
        var service = Assert.Single(first.Services);
        Assert.Equal(("SC", "I"), (service.RequestCategory, service.CertificationType));
        Assert.Equal((new DateOnly(2007, 10, 15), new DateOnly(2008, 4, 15)), (service.ServiceFrom, service.ServiceTo));
        Assert.Equal("JAREMKO", service.ServicingProvider?.Name);
    }
}

public class EnrollmentTransactionTests
{
    static List<EnrollmentEvent> Read() =>
        SharedData.Read(SharedData.Fixture("834_enrollment.edi")).Events.Cast<EnrollmentEvent>().ToList();

    [Fact]
    public void Read_834_OneEventPerInsWithMaintenanceTypes()
    {
        var members = Read();

        Assert.Equal(["021", "021", "024", "030"], members.Select(m => m.MaintenanceType));
        Assert.True(members[0].IsAddition);
        Assert.True(members[2].IsTermination);
    }

    [Fact]
    public void Read_834Subscriber_MapsIdentityResidenceAndCoverages()
    {
        var subscriber = Read()[0];

        Assert.Equal(("SUB1001", "SUB1001", true, "18"), (subscriber.Member.MemberId, subscriber.Member.SubscriberId, subscriber.Member.IsSubscriber, subscriber.Member.Relationship));
        Assert.Equal(("RIVERA", "ANA", "M"), (subscriber.Member.LastName, subscriber.Member.FirstName, subscriber.Member.MiddleName));
        Assert.Equal((new DateOnly(1971, 4, 12), "F"), (subscriber.Member.BirthDate, subscriber.Member.Sex));
        Assert.Equal(("MA", "02139", "GRP-7781"), (subscriber.State, subscriber.PostalCode, subscriber.GroupNumber));
        Assert.Equal(new DateOnly(2025, 3, 1), subscriber.EligibilityBegin);
        Assert.Equal(
            [new EnrollmentCoverage("021", "HLT", "GOLD PPO 1500", "FAM", new DateOnly(2025, 3, 1), null), new EnrollmentCoverage("021", "DEN", "DENTAL BASIC", "FAM", new DateOnly(2025, 3, 1), null)],
            subscriber.Coverages);
    }

    [Fact]
    public void Read_834Dependent_UsesItsOwnNumberAndIgnoresCustodialParentAddress()
    {
        var child = Read()[1];

        Assert.Equal(("SUB1001-02", "SUB1001", false, "19"), (child.Member.MemberId, child.Member.SubscriberId, child.Member.IsSubscriber, child.Member.Relationship));
        Assert.Equal(("LUCAS", "M", new DateOnly(2012, 9, 30)), (child.Member.FirstName, child.Member.Sex, child.Member.BirthDate));
        Assert.Equal("MA", child.State);
    }

    [Fact]
    public void Read_834Termination_HasCoverageEndAndReportingLoopIsIgnored()
    {
        var members = Read();

        Assert.Equal((new DateOnly(2023, 1, 1), new DateOnly(2025, 2, 28)), (members[2].Coverages[0].Begin, members[2].Coverages[0].End));
        Assert.Equal(new DateOnly(2025, 2, 28), members[2].EligibilityEnd);
        Assert.Equal("ME", members[2].State);
        var audit = members[3];
        Assert.Equal(new EnrollmentCoverage("030", "HLT", "GOLD PPO 1500", "EMP", new DateOnly(2024, 1, 1), null), Assert.Single(audit.Coverages));
        Assert.Equal("RI", audit.State);
    }

    [Fact]
    public void Read_834WithoutMaintenanceType_FailsAtTheIns()
    {
        var text = File.ReadAllText(SharedData.Fixture("834_enrollment.edi")).Replace("INS*Y*18*030*XN", "INS*Y*18**XN", StringComparison.Ordinal);

        var ex = Assert.Throws<X12FormatException>(() => SharedData.ReadText(text, name: "834.edi"));

        Assert.Equal("INS", ex.SegmentId);
        Assert.Equal(43, ex.SegmentNumber);
        Assert.Contains("INS03", ex.Message);
    }
}
