using ControlPlane.Client.Model;
using ControlPlane.Client.Tests.Infrastructure;

namespace ControlPlane.Client.Tests;

/// <summary>Each List operation's paginator follows NextToken over several pages of the running service.</summary>
public sealed class PaginatorTests(ApiOnlyService fixture) : IClassFixture<ApiOnlyService>
{
    private const int Count = 5;
    private const int PageSize = 2;

    [Fact]
    public async Task ListModels_pages_yield_every_model_in_three_pages()
    {
        using var client = fixture.Client();
        var prefix = Shapes.Unique("pm");
        var names = await CreateAsync(i => client.CreateModelAsync(Shapes.Model($"{prefix}-{i}")), i => $"{prefix}-{i}");

        var pages = await ToListAsync(client.Paginators.ListModels(new ListModelsInput { NameContains = prefix, MaxResults = PageSize, SortBy = ModelSortKey.Name, SortOrder = OrderKey.Ascending }).Responses);
        var items = await ToListAsync(client.Paginators.ListModels(new ListModelsInput { NameContains = prefix, MaxResults = PageSize }).Items);

        Assert.Equal([2, 2, 1], pages.Select(p => p.Models!.Count));
        Assert.Equal(names, pages.SelectMany(p => p.Models!).Select(m => m.ModelName));
        Assert.Null(pages[^1].NextToken);
        Assert.Equal(names.Order(), items.Select(m => m.ModelName!).Order());
    }

    [Fact]
    public async Task ListEndpointConfigs_and_ListEndpoints_paginators_cross_pages()
    {
        using var client = fixture.Client();
        var prefix = Shapes.Unique("pe");
        var model = Shapes.Unique("model");
        await client.CreateModelAsync(Shapes.Model(model));
        var configs = await CreateAsync(i => client.CreateEndpointConfigAsync(Shapes.EndpointConfig($"{prefix}-{i}", model)), i => $"{prefix}-{i}");
        var endpoints = await CreateAsync(i => client.CreateEndpointAsync(new CreateEndpointInput { EndpointName = $"{prefix}-e{i}", EndpointConfigName = configs[i] }), i => $"{prefix}-e{i}");

        var listedConfigs = await ToListAsync(client.Paginators.ListEndpointConfigs(new ListEndpointConfigsInput { NameContains = prefix, MaxResults = PageSize }).Items);
        var listedEndpoints = await ToListAsync(client.Paginators.ListEndpoints(new ListEndpointsInput { NameContains = prefix + "-e", MaxResults = PageSize }).Items);

        Assert.Equal(configs.Order(), listedConfigs.Select(c => c.EndpointConfigName!).Order());
        Assert.Equal(endpoints.Order(), listedEndpoints.Select(e => e.EndpointName!).Order());
    }

    [Fact]
    public async Task Job_paginators_cross_pages()
    {
        using var client = fixture.Client();
        var prefix = Shapes.Unique("pj");
        var model = Shapes.Unique("model");
        await client.CreateModelAsync(Shapes.Model(model));
        var training = await CreateAsync(i => client.CreateTrainingJobAsync(Shapes.TrainingJob($"{prefix}-t{i}")), i => $"{prefix}-t{i}");
        var processing = await CreateAsync(i => client.CreateProcessingJobAsync(Shapes.ProcessingJob($"{prefix}-p{i}")), i => $"{prefix}-p{i}");
        var transform = await CreateAsync(i => client.CreateTransformJobAsync(Shapes.TransformJob($"{prefix}-x{i}", model)), i => $"{prefix}-x{i}");

        var trainingPages = await ToListAsync(client.Paginators.ListTrainingJobs(new ListTrainingJobsRequest { NameContains = prefix + "-t", MaxResults = PageSize }).Responses);
        var processingItems = await ToListAsync(client.Paginators.ListProcessingJobs(new ListProcessingJobsRequest { NameContains = prefix + "-p", MaxResults = PageSize }).Items);
        var transformItems = await ToListAsync(client.Paginators.ListTransformJobs(new ListTransformJobsRequest { NameContains = prefix + "-x", MaxResults = PageSize }).Items);

        Assert.Equal(3, trainingPages.Count);
        Assert.Equal(training.Order(), trainingPages.SelectMany(p => p.TrainingJobSummaries!).Select(j => j.TrainingJobName!).Order());
        Assert.Equal(processing.Order(), processingItems.Select(j => j.ProcessingJobName!).Order());
        Assert.Equal(transform.Order(), transformItems.Select(j => j.TransformJobName!).Order());
    }

    /// <summary>
    /// ListTags pages hold at least 50 tags and a resource holds at most 50, so the service never pages them: a loopback
    /// server plays SageMaker's pages instead.
    /// </summary>
    [Fact]
    public async Task ListTags_paginator_sends_each_pages_NextToken_and_each_enumeration_starts_again()
    {
        await using var server = new LoopbackHttpServer((request, _) => request.BodyText.Contains("\"NextToken\":\"t2\"", StringComparison.Ordinal)
            ? Reply.Json("""{"Tags":[{"Key":"c","Value":"3"}]}""")
            : request.BodyText.Contains("\"NextToken\":\"t1\"", StringComparison.Ordinal)
                ? Reply.Json("""{"Tags":[{"Key":"b","Value":"2"}],"NextToken":"t2"}""")
                : Reply.Json("""{"Tags":[{"Key":"a","Value":"1"}],"NextToken":"t1"}"""));
        using var client = Clients.For(server.Address);
        var paginator = client.Paginators.ListTags(new ListTagsInput { ResourceArn = "arn:aws:sagemaker:us-east-1:123456789012:model/m", MaxResults = 50 });

        var first = await ToListAsync(paginator.Responses);
        var second = await ToListAsync(paginator.Items);

        Assert.Equal(3, first.Count);
        Assert.Equal(["a", "b", "c", "a", "b", "c"], first.SelectMany(p => p.Tags!).Concat(second).Select(t => t.Key));
        Assert.Equal(6, server.Requests.Count);
        Assert.DoesNotContain("NextToken", server.Requests[3].BodyText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cancelled_enumeration_stops_between_pages()
    {
        using var client = fixture.Client();
        var prefix = Shapes.Unique("pc");
        await CreateAsync(i => client.CreateModelAsync(Shapes.Model($"{prefix}-{i}")), i => $"{prefix}-{i}");
        using var cancellation = new CancellationTokenSource();
        var seen = 0;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in client.Paginators.ListModels(new ListModelsInput { NameContains = prefix, MaxResults = PageSize }).ItemsAsync(cancellation.Token))
            {
                seen++;
                await cancellation.CancelAsync();
            }
        });

        Assert.Equal(PageSize, seen);
    }

    private static async Task<List<string>> CreateAsync<T>(Func<int, Task<T>> create, Func<int, string> name)
    {
        for (var i = 0; i < Count; i++)
        {
            await create(i);
        }

        return [.. Enumerable.Range(0, Count).Select(name)];
    }

    private static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> items)
    {
        var list = new List<T>();
        await foreach (var item in items)
        {
            list.Add(item);
        }

        return list;
    }
}
