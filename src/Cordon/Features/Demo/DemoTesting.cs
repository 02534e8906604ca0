using Cordon.Features.Registry;
using Cordon.Features.Testing;
using Cordon.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;

namespace Cordon.Features.Demo;

/// <summary>The demo district's testing set-up: a fixed site per street, temporary and door-to-door sites, two labs,
/// key-group testing intervals, and the demo sampler assigned to the first site.</summary>
internal static class DemoTesting
{
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
