using Cordon.Features.Registry;
using Cordon.Features.Testing;
using Cordon.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;

namespace Cordon.Features.Demo;

/// <summary>The demo district's testing set-up: a fixed site per street, temporary and door-to-door sites, two labs,
/// key-group testing intervals, the demo sampler assigned to the first site, and a screening round running today.</summary>
internal static class DemoTesting
{
    public const int DemoRoundPeoplePerCommunity = 250;
    private static readonly double[] DemoRoundShares = [0.85, 0.6, 0.95, 0.4, 0.7, 0.25, 0.5, 0.8];

    public static readonly (KeyGroup Group, int Hours)[] KeyGroupIntervals =
    [
        (KeyGroup.Courier, 24), (KeyGroup.DeliveryRider, 24), (KeyGroup.ColdChainWorker, 24), (KeyGroup.MarketVendor, 48),
        (KeyGroup.MedicalStaff, 48), (KeyGroup.TransportWorker, 48), (KeyGroup.ServiceStaff, 72), (KeyGroup.Teacher, 72),
        (KeyGroup.ConstructionWorker, 72),
    ];

    public static async Task SeedAsync(CordonDbContext db, List<Area> areas, DateTime now, CancellationToken ct)
    {
        var streets = areas.Where(a => a.Level == AreaLevel.Street).ToList();
        var sites = new List<SamplingSite>();
        foreach (var street in streets)
        {
            var firstCommunity = areas.First(a => a.ParentCode == street.Code);
            sites.Add(new SamplingSite
            {
                Name = $"{street.Name[..^2]}便民核酸采样点",
                AreaCode = firstCommunity.Code,
                Address = $"{street.Name[..^2]}文化广场",
                Latitude = firstCommunity.Latitude,
                Longitude = firstCommunity.Longitude,
                Kind = SiteKind.Fixed,
                SlotMinutes = 30,
                CapacityPerSlot = 60,
                OpeningHours = "Mon-Sun 07:00-12:00,13:30-20:00",
                CreatedAt = now,
            });
        }
        var (first, second) = (streets[0], streets[1]);
        sites.Add(new SamplingSite
        {
            Name = "体育中心临时采样点",
            AreaCode = areas.First(a => a.ParentCode == second.Code).Code,
            Address = "体育中心东广场",
            Latitude = second.Latitude,
            Longitude = second.Longitude,
            Kind = SiteKind.Temporary,
            SlotMinutes = 20,
            CapacityPerSlot = 120,
            OpeningHours = "Mon-Sun 06:00-22:00",
            CreatedAt = now,
        });
        sites.Add(new SamplingSite
        {
            Name = $"{first.Name[..^2]}上门采样队",
            AreaCode = first.Code,
            Address = $"{first.Name}办事处",
            Kind = SiteKind.Mobile,
            SlotMinutes = 60,
            CapacityPerSlot = 15,
            OpeningHours = "Mon-Sun 08:00-18:00",
            CreatedAt = now,
        });
        db.SamplingSites.AddRange(sites);
        db.Labs.AddRange(
            new Lab { Name = "示范区疾控中心实验室", AreaCode = DemoDistrict.DistrictCode, Address = "示范区健康路1号" },
            new Lab { Name = "示范市第一人民医院检验科", AreaCode = DemoDistrict.DistrictCode, Address = "示范区人民路88号" });
        db.KeyGroupTestingRules.AddRange(KeyGroupIntervals.Select(k => new KeyGroupTestingRule { KeyGroup = k.Group, IntervalHours = k.Hours }));
        await db.SaveChangesAsync(ct);
    }

    /// <summary>
    /// A screening round running today over the last street (滨江街道), so that a new user sees coverage: in each of its
    /// communities some of the first residents were sampled this morning in 10-in-1 pools at the street's site, two
    /// pools in three already resulted negative at the first lab, the rest on their way (closed, waiting for a box).
    /// The share differs from community to community, so the bars do. Deterministic (residents in id order) and small
    /// (a share of at most <see cref="DemoRoundPeoplePerCommunity"/> people per community, a few thousand rows in all). The last
    /// street is used because the tests and the demo accounts work in the first one.
    /// </summary>
    public static async Task SeedRoundAsync(CordonDbContext db, List<Area> areas, CityTime time, CancellationToken ct)
    {
        var now = time.UtcNow;
        var street = areas.Where(a => a.Level == AreaLevel.Street).MaxBy(a => a.Code)!;
        var startsAt = time.ToUtc(time.LocalNow.Date);
        // This morning, or half-way since midnight when the district is created just after it.
        var collectedAt = now - TimeSpan.FromTicks(Math.Min(TimeSpan.FromHours(2).Ticks, (now - startsAt).Ticks / 2));
        var round = new ScreeningRound
        {
            Name = $"{street.Name}全员核酸筛查",
            StartsAt = startsAt,
            EndsAt = startsAt.AddDays(2),
            Status = RoundStatus.Open,
            CreatedBy = "commander",
            CreatedAt = collectedAt,
        };
        db.ScreeningRounds.Add(round);
        await db.SaveChangesAsync(ct);
        db.ScreeningRoundAreas.Add(new ScreeningRoundArea { RoundId = round.Id, AreaCode = street.Code });

        var site = await db.SamplingSites.Where(s => s.AreaCode.StartsWith(street.Code) && s.Kind == SiteKind.Fixed).OrderBy(s => s.Id).FirstAsync(ct);
        var lab = await db.Labs.OrderBy(l => l.Id).FirstAsync(ct);
        var box = new TransportBox
        {
            Code = "DEMO-BOX-0001",
            SiteId = site.Id,
            LabId = lab.Id,
            Status = BoxStatus.Received,
            CreatedAt = collectedAt,
            DispatchedAt = collectedAt.AddMinutes(30),
            DispatchedBy = "sampler",
            Courier = "demo",
            ReceivedAt = collectedAt.AddMinutes(60),
            ReceivedBy = "lab",
        };
        db.TransportBoxes.Add(box);
        await db.SaveChangesAsync(ct);

        var communities = areas.Where(a => a.ParentCode == street.Code).OrderBy(a => a.Code, StringComparer.Ordinal).ToList();
        var tubes = new List<(Tube Tube, List<(long Id, string AreaCode)> People)>();
        for (var c = 0; c < communities.Count; c++)
        {
            var prefix = communities[c].Code;
            var living = await db.Residents.CountAsync(r => r.AreaCode.StartsWith(prefix), ct);
            var share = DemoRoundShares[c % DemoRoundShares.Length];
            var people = await db.Residents.Where(r => r.AreaCode.StartsWith(prefix)).OrderBy(r => r.Id)
                .Take((int)(Math.Min(living, DemoRoundPeoplePerCommunity) * share)).Select(r => new { r.Id, r.AreaCode }).ToListAsync(ct);
            foreach (var pool in people.Chunk(10))
            {
                // Two pools in three are back from the lab; the rest are still on their way.
                var resulted = tubes.Count % 3 != 2;
                var tube = new Tube
                {
                    Barcode = $"DEMO-{tubes.Count + 1:D5}",
                    PoolSize = 10,
                    SiteId = site.Id,
                    Status = resulted ? TubeStatus.Resulted : TubeStatus.Closed,
                    Result = resulted ? TubeResult.Negative : TubeResult.Pending,
                    OpenedBy = "sampler",
                    OpenedAt = collectedAt,
                    CollectedAt = collectedAt,
                };
                if (resulted)
                {
                    (tube.BoxId, tube.BoxedAt, tube.DispatchedAt, tube.ReceivedAt) = (box.Id, collectedAt.AddMinutes(10), box.DispatchedAt, box.ReceivedAt);
                    (tube.TestedAt, tube.ReleasedAt) = (collectedAt.AddMinutes(90), collectedAt.AddMinutes(95));
                }
                tubes.Add((tube, pool.Select(p => (p.Id, p.AreaCode)).ToList()));
            }
        }
        db.Tubes.AddRange(tubes.Select(t => t.Tube));
        await db.SaveChangesAsync(ct);
        foreach (var (tube, people) in tubes)
        {
            db.TubeMembers.AddRange(people.Select(p => new TubeMember
            {
                TubeId = tube.Id,
                ResidentId = p.Id,
                AreaCode = p.AreaCode,
                SampledAt = collectedAt,
                InOpenTube = false,
                SampledBy = "sampler",
            }));
            if (tube.Status != TubeStatus.Resulted) continue;
            db.PersonResults.AddRange(people.Select(p => new PersonResult
            {
                ResidentId = p.Id,
                AreaCode = p.AreaCode,
                TubeId = tube.Id,
                Kind = PersonResultKind.Negative,
                SampledAt = collectedAt,
                ReleasedAt = tube.ReleasedAt!.Value,
            }));
        }
        await db.SaveChangesAsync(ct);
    }

    /// <summary>Staff accounts are created after the sites; this links the demo sampler to the first site.</summary>
    public static async Task AssignSamplerAsync(CordonDbContext db, CancellationToken ct)
    {
        var sampler = await db.Users.Where(u => u.UserName == "sampler").Select(u => u.Id).FirstOrDefaultAsync(ct);
        var site = await db.SamplingSites.OrderBy(s => s.Id).Select(s => s.Id).FirstOrDefaultAsync(ct);
        if (sampler is null || site == 0) return;
        db.SiteStaff.Add(new SiteStaff { SiteId = site, UserId = sampler });
        await db.SaveChangesAsync(ct);
    }
}
