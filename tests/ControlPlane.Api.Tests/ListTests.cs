using System.Net;
using System.Text.Json.Nodes;
using ControlPlane.Api.Tests.Infrastructure;

namespace ControlPlane.Api.Tests;

/// <summary>NextToken, MaxResults, sorting and filters, with SageMaker's defaults.</summary>
public sealed class ListTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>, IAsyncLifetime
{
    private const int ModelCount = 7;
    private readonly string _prefix = Requests.Unique("lst");
    private readonly List<string> _models = [];
    private double _middleCreationTime;

    public static TheoryData<string> Doors => new(ApiDoor.Names);

    public async Task InitializeAsync()
    {
        var door = fixture.Wire;
        for (var i = 0; i < ModelCount; i++)
        {
            var name = $"{_prefix}-{(char)('g' - i)}";
            await door.InvokeAsync("CreateModel", Requests.Model(name));
            _models.Add(name);
            if (i == ModelCount / 2)
            {
                _middleCreationTime = (await door.InvokeAsync("DescribeModel", Requests.Named("ModelName", name))).Body["CreationTime"]!.GetValue<double>();
            }

            await Task.Delay(5);
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Theory]
    [MemberData(nameof(Doors))]
    public async Task Pages_follow_NextToken_until_it_is_absent_and_see_every_resource_once_newest_first(string doorName)
    {
        var door = fixture.Door(doorName);
        var seen = new List<string>();
        string? token = null;
        var pages = 0;
        do
        {
            var request = new JsonObject { ["NameContains"] = _prefix, ["MaxResults"] = 3 };
            if (token is not null)
            {
                request["NextToken"] = token;
            }

            var page = await door.InvokeAsync("ListModels", request);
            Assert.Equal(HttpStatusCode.OK, page.Status);
            seen.AddRange(page.Body["Models"]!.AsArray().Select(m => m!["ModelName"]!.GetValue<string>()));
            token = page.Body["NextToken"]?.GetValue<string>();
            pages++;
        }
        while (token is not null);

        Assert.Equal(3, pages);
        Assert.Equal(Enumerable.Reverse(_models), seen);
    }

    [Theory]
    [MemberData(nameof(Doors))]
    public async Task Sorting_by_name_ascending_and_descending(string doorName)
    {
        var door = fixture.Door(doorName);

        var ascending = await door.InvokeAsync("ListModels", new JsonObject { ["NameContains"] = _prefix, ["SortBy"] = "Name", ["SortOrder"] = "Ascending", ["MaxResults"] = 100 });
        var descending = await door.InvokeAsync("ListModels", new JsonObject { ["NameContains"] = _prefix, ["SortBy"] = "Name", ["SortOrder"] = "Descending", ["MaxResults"] = 100 });

        var sorted = _models.Order(StringComparer.Ordinal).ToList();
        Assert.Equal(sorted, Names(ascending.Body["Models"]!));
        Assert.Equal(Enumerable.Reverse(sorted), Names(descending.Body["Models"]!));
    }

    [Theory]
    [MemberData(nameof(Doors))]
    public async Task Paging_by_name_continues_after_the_last_name(string doorName)
    {
        var door = fixture.Door(doorName);
        var first = await door.InvokeAsync("ListModels", new JsonObject { ["NameContains"] = _prefix, ["SortBy"] = "Name", ["SortOrder"] = "Ascending", ["MaxResults"] = 4 });
        var second = await door.InvokeAsync("ListModels", new JsonObject
        {
            ["NameContains"] = _prefix, ["SortBy"] = "Name", ["SortOrder"] = "Ascending", ["MaxResults"] = 4, ["NextToken"] = first.Body["NextToken"]!.GetValue<string>(),
        });

        Assert.Equal(_models.Order(StringComparer.Ordinal), Names(first.Body["Models"]!).Concat(Names(second.Body["Models"]!)));
        Assert.False(second.Body.ContainsKey("NextToken"));
    }

    [Theory]
    [MemberData(nameof(Doors))]
    public async Task Creation_time_filters_are_strict_and_name_contains_ignores_case(string doorName)
    {
        var door = fixture.Door(doorName);

        var after = await door.InvokeAsync("ListModels", new JsonObject { ["NameContains"] = _prefix.ToUpperInvariant(), ["CreationTimeAfter"] = _middleCreationTime, ["MaxResults"] = 100 });
        var before = await door.InvokeAsync("ListModels", new JsonObject { ["NameContains"] = _prefix, ["CreationTimeBefore"] = _middleCreationTime, ["MaxResults"] = 100 });

        Assert.Equal(_models.Skip((ModelCount / 2) + 1).Reverse(), Names(after.Body["Models"]!));
        Assert.Equal(_models.Take(ModelCount / 2).Reverse(), Names(before.Body["Models"]!));
    }

    [Theory]
    [MemberData(nameof(Doors))]
    public async Task Ten_results_by_default(string doorName)
    {
        var door = fixture.Door(doorName);
        for (var i = 0; i < 12 - ModelCount; i++)
        {
            await door.InvokeAsync("CreateModel", Requests.Model($"{_prefix}-extra-{doorName}-{i}"));
        }

        var page = await door.InvokeAsync("ListModels", new JsonObject { ["NameContains"] = _prefix });

        Assert.Equal(10, page.Body["Models"]!.AsArray().Count);
        Assert.True(page.Body.ContainsKey("NextToken"));
    }

    [Theory]
    [MemberData(nameof(Doors))]
    public async Task A_forged_or_foreign_token_is_a_ValidationException(string doorName)
    {
        var door = fixture.Door(doorName);
        var first = await door.InvokeAsync("ListModels", new JsonObject { ["NameContains"] = _prefix, ["MaxResults"] = 2 });
        var token = first.Body["NextToken"]!.GetValue<string>();

        var forged = await door.InvokeAsync("ListModels", new JsonObject { ["NameContains"] = _prefix, ["MaxResults"] = 2, ["NextToken"] = "eyJvZmZzZXQiOjEwMH0" });
        var altered = await door.InvokeAsync("ListModels", new JsonObject { ["NameContains"] = _prefix, ["MaxResults"] = 2, ["NextToken"] = "A" + token[1..] });
        var otherFilter = await door.InvokeAsync("ListModels", new JsonObject { ["NameContains"] = "other", ["MaxResults"] = 2, ["NextToken"] = token });
        var otherList = await door.InvokeAsync("ListEndpointConfigs", new JsonObject { ["NameContains"] = _prefix, ["MaxResults"] = 2, ["NextToken"] = token });

        Assert.All([forged, altered, otherFilter, otherList], r => Assert.Equal(("ValidationException", HttpStatusCode.BadRequest), (r.ErrorCode, r.Status)));
    }

    [Theory]
    [MemberData(nameof(Doors))]
    public async Task MaxResults_outside_1_to_100_is_a_ValidationException(string doorName)
    {
        var door = fixture.Door(doorName);

        var zero = await door.InvokeAsync("ListModels", new JsonObject { ["MaxResults"] = 0 });
        var tooMany = await door.InvokeAsync("ListTrainingJobs", new JsonObject { ["MaxResults"] = 101 });

        Assert.Equal("1 validation error detected: Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1", zero.Message);
        Assert.Equal("1 validation error detected: Value '101' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 100", tooMany.Message);
    }

    [Theory]
    [MemberData(nameof(Doors))]
    public async Task Training_jobs_list_oldest_first_by_default_and_filter_by_status(string doorName)
    {
        var door = fixture.Door(doorName);
        var names = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var name = $"{_prefix}-{doorName}-job-{i}";
            await door.InvokeAsync("CreateTrainingJob", Requests.TrainingJob(name));
            names.Add(name);
            await Task.Delay(5);
        }

        await door.InvokeAsync("StopTrainingJob", Requests.Named("TrainingJobName", names[1]));

        var all = await door.InvokeAsync("ListTrainingJobs", new JsonObject { ["NameContains"] = $"{_prefix}-{doorName}-job" });
        var stopping = await door.InvokeAsync("ListTrainingJobs", new JsonObject { ["NameContains"] = $"{_prefix}-{doorName}-job", ["StatusEquals"] = "Stopping" });
        var byStatus = await door.InvokeAsync("ListTrainingJobs", new JsonObject { ["NameContains"] = $"{_prefix}-{doorName}-job", ["SortBy"] = "Status", ["SortOrder"] = "Descending" });

        Assert.Equal(names, all.Body["TrainingJobSummaries"]!.AsArray().Select(j => j!["TrainingJobName"]!.GetValue<string>()));
        Assert.Equal([names[1]], stopping.Body["TrainingJobSummaries"]!.AsArray().Select(j => j!["TrainingJobName"]!.GetValue<string>()));
        Assert.Equal(names[1], byStatus.Body["TrainingJobSummaries"]![0]!["TrainingJobName"]!.GetValue<string>());
    }

    private static IEnumerable<string> Names(JsonNode models) => models.AsArray().Select(m => m!["ModelName"]!.GetValue<string>());
}
