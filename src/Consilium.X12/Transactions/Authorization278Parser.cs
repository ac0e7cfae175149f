namespace Consilium.X12.Transactions;

/// <summary>
/// 278 health care services review, requests and responses: 005010X217 (HL 20/21/22/23/EV/SS) and the
/// 4010 X094A1 layout, where a service provider level (HL 19) may sit between the member and the services
/// and there may be no patient event level at all.
/// </summary>
sealed class Authorization278Parser(ParseCaches caches) : TransactionParser(caches)
{
    enum Level { None, Umo, Requester, Subscriber, Dependent, Event, Service, ServiceProvider, Other }

    Level level;
    string? purpose, reference;
    DateOnly? requestDate;
    ProviderRef? requester, levelServicing;
    string? subscriberId, subLast, subFirst, subMiddle, subSex;
    DateOnly? subBirth;
    bool dependent;
    string? depId, depLast, depFirst, depMiddle, depSex;
    DateOnly? depBirth;
    Level nameLevel;

    // Diagnoses met before the first event (4010 puts HI at the subscriber level).
    readonly List<Diagnosis> looseDiagnoses = [];
    readonly List<ProcedureCode> looseProcedures = [];

    EventBuilder? current;
    ServiceBuilder? service;

    sealed class EventBuilder
    {
        public long Offset;
        public string? Trace, Category, CertType, ServiceType, Facility, Decision, CertNumber;
        public DateOnly? From, To, Admission;
        public ProviderRef? Servicing;
        public readonly List<Diagnosis> Diagnoses = [];
        public readonly List<ProcedureCode> Procedures = [];
        public readonly List<AuthorizationService> Services = [];
    }

    sealed class ServiceBuilder
    {
        public string? Category, CertType, ServiceType, Qualifier, Code, Revenue, Decision, CertNumber;
        public string[] Modifiers = [];
        public decimal? Quantity;
        public DateOnly? From, To;
        public ProviderRef? Servicing;
    }

    protected override void Reset()
    {
        level = Level.None;
        purpose = reference = null;
        requestDate = null;
        requester = levelServicing = null;
        subscriberId = subLast = subFirst = subMiddle = subSex = null;
        subBirth = null;
        ResetDependent();
        looseDiagnoses.Clear();
        looseProcedures.Clear();
        current = null;
        service = null;
    }

    void ResetDependent()
    {
        dependent = false;
        depId = depLast = depFirst = depMiddle = depSex = null;
        depBirth = null;
    }

    public override void OnSegment(int key)
    {
        switch (key)
        {
            case Seg.BHT:
                purpose = Pooled(2);
                reference = Str(3);
                requestDate = Parse.Date(R.GetElement(4));
                break;
            case Seg.HL: OnHl(); break;
            case Seg.NM1: OnNm1(); break;
            case Seg.DMG: OnDmg(); break;
            case Seg.TRN:
                if (current is not null && current.Trace is null && level == Level.Event) current.Trace = Str(2);
                break;
            case Seg.UM: OnUm(); break;
            case Seg.HCR: OnHcr(); break;
            case Seg.DTP: OnDtp(); break;
            case Seg.HI:
                if (current is not null) HealthCodes.Read(R, Pool, current.Diagnoses, current.Procedures);
                else HealthCodes.Read(R, Pool, looseDiagnoses, looseProcedures);
                break;
            case Seg.SV1: OnService(1, quantityElement: 4, revenue: false); break;
            case Seg.SV2: OnService(2, quantityElement: 5, revenue: true); break;
            case Seg.SV3: OnService(1, quantityElement: 6, revenue: false); break;
        }
    }

    public override void End()
    {
        CloseService();
        CloseEvent();
    }

    void OnHl()
    {
        CloseService();
        var code = R.GetElement(3);
        if (code.IsEmpty) throw R.SegmentError("expected HL03 (hierarchical level code), found nothing");
        level = code switch
        {
            _ when code.SequenceEqual("20"u8) => Level.Umo,
            _ when code.SequenceEqual("21"u8) => Level.Requester,
            _ when code.SequenceEqual("22"u8) => Level.Subscriber,
            _ when code.SequenceEqual("23"u8) => Level.Dependent,
            _ when code.SequenceEqual("EV"u8) => Level.Event,
            _ when code.SequenceEqual("SS"u8) => Level.Service,
            _ when code.SequenceEqual("19"u8) => Level.ServiceProvider,
            _ => Level.Other,
        };
        switch (level)
        {
            case Level.Subscriber:
                CloseEvent();
                subscriberId = subLast = subFirst = subMiddle = subSex = null;
                subBirth = null;
                ResetDependent();
                levelServicing = null;
                break;
            case Level.Dependent:
                CloseEvent();
                ResetDependent();
                dependent = true;
                break;
            case Level.Event:
                CloseEvent();
                StartEvent();
                break;
            case Level.Service:
                if (current is null) StartEvent();
                service = new ServiceBuilder();
                break;
        }
        nameLevel = Level.None;
    }

    void StartEvent()
    {
        current = new EventBuilder { Offset = R.SegmentOffset };
        current.Diagnoses.AddRange(looseDiagnoses);
        current.Procedures.AddRange(looseProcedures);
        looseDiagnoses.Clear();
        looseProcedures.Clear();
    }

    void OnNm1()
    {
        var code = Parse.EntityCode(R);
        nameLevel = Level.None;
        switch (level)
        {
            case Level.Requester:
                requester ??= Provider();
                break;
            case Level.Subscriber when code.SequenceEqual("IL"u8):
                subscriberId = Str(9);
                subLast = Str(3);
                subFirst = Str(4);
                subMiddle = Str(5);
                nameLevel = Level.Subscriber;
                break;
            case Level.Dependent when code.SequenceEqual("QC"u8):
                depId = Str(9);
                depLast = Str(3);
                depFirst = Str(4);
                depMiddle = Str(5);
                nameLevel = Level.Dependent;
                break;
            case Level.ServiceProvider when IsServicing(code):
                levelServicing ??= Provider();
                break;
            case Level.Event when IsServicing(code) && current is not null:
                if (current.Servicing is null || code.SequenceEqual("SJ"u8)) current.Servicing = Provider();
                break;
            case Level.Service when IsServicing(code) && service is not null:
                if (service.Servicing is null || code.SequenceEqual("SJ"u8)) service.Servicing = Provider();
                break;
        }
    }

    /// <summary>Servicing provider (SJ), facility (FA), service location (77) or surgeon/operating physician (72).</summary>
    static bool IsServicing(ReadOnlySpan<byte> code) =>
        code.SequenceEqual("SJ"u8) || code.SequenceEqual("FA"u8) || code.SequenceEqual("77"u8) || code.SequenceEqual("72"u8);

    void OnDmg()
    {
        if (nameLevel is not (Level.Subscriber or Level.Dependent)) return;
        DateOnly? birth = null;
        if (!R.GetElement(2).IsEmpty) Parse.DateValue(R, 1, out birth, out _);
        if (nameLevel == Level.Subscriber)
        {
            subBirth = birth;
            subSex = Pooled(3);
        }
        else
        {
            depBirth = birth;
            depSex = Pooled(3);
        }
    }

    void OnUm()
    {
        var category = Pooled(1);
        var certType = Pooled(2);
        var serviceType = Pooled(3);
        var facility = Pooled(4, 1);
        if (level == Level.Service && service is not null)
        {
            service.Category = category;
            service.CertType = certType;
            service.ServiceType = serviceType;
        }
        else if (current is not null || level == Level.Event)
        {
            current ??= new EventBuilder { Offset = R.SegmentOffset };
            current.Category = category;
            current.CertType = certType;
            current.ServiceType = serviceType;
            current.Facility = facility;
        }
    }

    void OnHcr()
    {
        var action = Pooled(1);
        if (action is null) throw R.SegmentError("expected HCR01 (action code such as A1 certified, A3 not certified, A4 pended), found nothing");
        var number = Str(2);
        if (level == Level.Service && service is not null)
        {
            service.Decision = action;
            service.CertNumber = number;
        }
        else if (current is not null)
        {
            current.Decision = action;
            current.CertNumber = number;
        }
    }

    void OnDtp()
    {
        var qualifier = R.GetElement(1);
        if (level == Level.Service && service is not null)
        {
            if (qualifier.SequenceEqual("472"u8)) Parse.DateValue(R, 2, out service.From, out service.To);
        }
        else if (level == Level.Event && current is not null)
        {
            if (qualifier.SequenceEqual("472"u8)) Parse.DateValue(R, 2, out current.From, out current.To);
            else if (qualifier.SequenceEqual("435"u8)) Parse.DateValue(R, 2, out current.Admission, out _, required: false);
        }
    }

    void OnService(int compositeElement, int quantityElement, bool revenue)
    {
        if (service is null) throw R.SegmentError($"expected HL*SS (service level, loop 2000F) before {R.SafeId()}");
        if (revenue) service.Revenue = Pooled(1);
        var composite = R.GetElement(revenue ? 2 : compositeElement);
        if (!composite.IsEmpty)
        {
            byte sep = Parse.ComponentSeparator(composite, R.Delimiters.Component);
            service.Qualifier = Pool.Get(X12SegmentReader.Component(composite, 1, sep));
            service.Code = Pool.Get(X12SegmentReader.Component(composite, 2, sep));
            service.Modifiers = Parse.Modifiers(composite, sep, Pool, Caches.Modifiers);
        }
        service.Quantity = Parse.OptionalDecimal(R, quantityElement);
    }

    void CloseService()
    {
        if (service is null) return;
        current!.Services.Add(new AuthorizationService
        {
            RequestCategory = service.Category,
            CertificationType = service.CertType,
            ServiceType = service.ServiceType,
            ProcedureQualifier = service.Qualifier,
            ProcedureCode = service.Code,
            Modifiers = service.Modifiers,
            RevenueCode = service.Revenue,
            Quantity = service.Quantity,
            ServiceFrom = service.From,
            ServiceTo = service.To,
            ServicingProvider = service.Servicing ?? levelServicing,
            Decision = service.Decision,
            CertificationNumber = service.CertNumber,
        });
        service = null;
    }

    void CloseEvent()
    {
        CloseService();
        if (current is not { } e) return;
        current = null;
        if (subscriberId is null)
            throw R.SegmentError("expected the subscriber (NM1*IL with a member identifier in NM109, loop 2010C) before the end of the patient event");
        bool response = purpose == "11" || e.Decision is not null || e.Services.Exists(s => s.Decision is not null);
        Emit(new AuthorizationEvent
        {
            FileName = R.FileName,
            Transaction = Info,
            ByteOffset = e.Offset,
            Purpose = purpose,
            RequestDate = requestDate,
            IsResponse = response,
            TraceNumber = e.Trace ?? reference,
            Member = BuildMember(),
            RequestCategory = e.Category,
            CertificationType = e.CertType,
            ServiceType = e.ServiceType,
            FacilityCode = e.Facility,
            ServiceFrom = e.From,
            ServiceTo = e.To,
            AdmissionDate = e.Admission,
            Diagnoses = e.Diagnoses.ToArray(),
            Procedures = e.Procedures.ToArray(),
            Services = e.Services.ToArray(),
            RequestingProvider = requester,
            ServicingProvider = e.Servicing ?? levelServicing,
            Decision = e.Decision,
            CertificationNumber = e.CertNumber,
        });
    }

    Member BuildMember() => dependent && (depLast is not null || depId is not null)
        ? new Member
        {
            MemberId = depId ?? subscriberId!,
            SubscriberId = subscriberId,
            LastName = depLast,
            FirstName = depFirst,
            MiddleName = depMiddle,
            BirthDate = depBirth,
            Sex = depSex,
            IsSubscriber = false,
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
}
