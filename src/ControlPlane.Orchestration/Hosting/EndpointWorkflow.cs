using System.Text.Json;
using System.Text.Json.Nodes;
using ControlPlane.Application.Operations;
using ControlPlane.Core.Documents;
using ControlPlane.Core.Hosting;
using ControlPlane.Core.Lifecycle;
using ControlPlane.Orchestration.Jobs;
using ControlPlane.Orchestration.Runtimes;
using ControlPlane.Orchestration.Storage;
using Hangfire;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ControlPlane.Orchestration.Hosting;

/// <summary>
/// Supervises one endpoint for as long as it exists (contract 3.5): Creating → InService or Failed; UpdateEndpoint as
/// blue/green (the new fleet passes its pings before the routes move to it, the old one is drained, then stopped; a
/// failed update leaves the old fleet serving, InService with a FailureReason); UpdateEndpointWeightsAndCapacities
/// applied live; while InService, instances that exit or stop answering their pings are replaced. The routes the
/// gateway uses are published as the healthy instances change. DeleteEndpoint removes the endpoint's record at once;
/// its supervisor then removes the containers and the workspace. After a restart the supervisor re-attaches to the
/// containers recorded in state.json; those that are gone are replaced.
/// </summary>
internal sealed partial class EndpointWorkflow(
    JobDocuments documents,
    EndpointDeployer deployer,
    ContainerJobSupervisor supervisor,
    HostingWorkspace workspace,
    IOptions<HostingOptions> options,
    TimeProvider time,
    ILogger<EndpointWorkflow> logger)
{
    private static readonly ResourceDescriptor Endpoint = ResourceCatalog.Endpoint;

    private readonly Dictionary<InstanceRecord, ModelInstance> _live = [];
    private EndpointContext _endpoint = null!;
    private EndpointState _state = null!;
    private string? _publishedRoutes;
    private DateTimeOffset _nextHealthCheck;

    /// <summary>The Hangfire entry point, on the <c>endpoints</c> queue whose workers do nothing else: it returns when the endpoint is gone or Failed.</summary>
    [AutomaticRetry(Attempts = 0)]
    [Queue("endpoints")]
    public async Task RunAsync(string accountId, string name, CancellationToken cancellationToken)
    {
        await supervisor.RunExclusiveAsync($"endpoint:{accountId}:{name}", async () =>
        {
            _endpoint = new EndpointContext(accountId, name, workspace.Root(accountId, name));
            try
            {
                await SuperviseAsync(cancellationToken);
            }
            finally
            {
                foreach (var instance in _live.Values)
                {
                    await instance.DisposeAsync();
                }
            }
        });
    }

    private async Task SuperviseAsync(CancellationToken cancellationToken)
    {
        _state = await EndpointState.LoadAsync(_endpoint.StatePath, cancellationToken);
        await ReattachAsync(cancellationToken);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                if (!await SuperviseOnceAsync(cancellationToken))
                {
                    return;
                }
            }
            catch (ContainerRuntimeException e)
            {
                // The engine stopped answering for a while: the endpoint stays supervised and the round is tried again.
                LogEngineFault(logger, _endpoint.Name, e.Message);
            }

            await Task.Delay(options.Value.ChangePollInterval, time, cancellationToken);
        }
    }

    /// <summary>One look at the document and what it asks for; false when the supervisor is done (deleted or Failed).</summary>
    private async Task<bool> SuperviseOnceAsync(CancellationToken cancellationToken)
    {
        var document = await documents.ReadAsync(Endpoint, _endpoint.AccountId, _endpoint.Name, cancellationToken);
        switch (document?.GetString("EndpointStatus"))
        {
            case null:
                await DeleteAsync();
                return false;
            case EndpointStatus.Creating:
                return await CreateAsync(document!, cancellationToken);
            case EndpointStatus.Updating when document!.GetObject("PendingDeploymentSummary") is { } pending:
                await UpdateAsync(pending.GetString("EndpointConfigName")!, cancellationToken);
                return true;
            case EndpointStatus.Updating:
                await ChangeWeightsAndCapacitiesAsync(document!, cancellationToken);
                return true;
            case EndpointStatus.InService:
                if (time.GetUtcNow() >= _nextHealthCheck)
                {
                    await HealAsync(cancellationToken);
                    _nextHealthCheck = time.GetUtcNow() + options.Value.PingInterval;
                }

                return true;
            default:
                // Failed and the other states hold no containers.
                await RemoveDeploymentAsync(_state.Active, TimeSpan.Zero);
                EndpointDeployer.TryDeleteDirectory(_endpoint.Root);
                return false;
        }
    }

    /// <summary>Finds the containers of the live deployment again; a half-made update is discarded (it is done again).</summary>
    private async Task ReattachAsync(CancellationToken cancellationToken)
    {
        if (_state.Pending is { } pending)
        {
            foreach (var variant in pending.Variants)
            {
                foreach (var record in variant.Instances.ToList())
                {
                    if (await deployer.AttachAsync(record, cancellationToken) is { } instance)
                    {
                        await deployer.RemoveAsync(variant, [instance], TimeSpan.Zero, SaveAsync);
                    }
                }
            }

            EndpointDeployer.TryDeleteDirectory(_endpoint.DeploymentDirectory(pending.Id));
            _state.Pending = null;
            await SaveAsync();
        }

        foreach (var variant in _state.Active?.Variants ?? [])
        {
            foreach (var record in variant.Instances.ToList())
            {
                if (await deployer.AttachAsync(record, cancellationToken) is { } instance)
                {
                    LogReattached(logger, _endpoint.Name, record.ContainerName);
                    _live[record] = instance;
                }
                else
                {
                    EndpointDeployer.Forget(variant, record);
                }
            }
        }

        await SaveAsync();
    }

    /// <summary>Creating → InService, or Failed with the reason. False when the endpoint failed (the supervisor ends).</summary>
    private async Task<bool> CreateAsync(JsonObject document, CancellationToken cancellationToken)
    {
        // What an earlier worker left half made is started afresh.
        await RemoveDeploymentAsync(_state.Active, TimeSpan.Zero);
        _state.Active = null;

        var deployed = await DeployAsync(document.GetString("EndpointConfigName")!, cancellationToken);
        if (!deployed.Succeeded)
        {
            EndpointDeployer.TryDeleteDirectory(_endpoint.Root);
            await documents.UpdateAsync(Endpoint, _endpoint.AccountId, _endpoint.Name, (d, now) =>
            {
                if (d.GetString("EndpointStatus") != EndpointStatus.Creating)
                {
                    return false;
                }

                d["EndpointStatus"] = EndpointStatus.Failed;
                d["FailureReason"] = deployed.Error!.Message;
                return true;
            }, cancellationToken);
            LogFailed(logger, _endpoint.Name, deployed.Error!.Message);
            return false;
        }

        _state.Active = deployed.Value;
        await SaveAsync();
        await PublishRoutesAsync(cancellationToken);
        await Task.Delay(options.Value.RoutePropagationDelay, time, cancellationToken);
        await SettleAsync(null, cancellationToken);
        return true;
    }

    /// <summary>Blue/green: the new fleet comes up beside the old one, which keeps serving until the routes move.</summary>
    private async Task UpdateAsync(string configName, CancellationToken cancellationToken)
    {
        var deployed = await DeployAsync(configName, cancellationToken, pending: true);
        if (!deployed.Succeeded)
        {
            _state.Pending = null;
            await SaveAsync();
            LogUpdateRolledBack(logger, _endpoint.Name, deployed.Error!.Message);
            await SettleAsync(deployed.Error!.Message, cancellationToken);
            return;
        }

        var old = _state.Active;
        _state.Active = deployed.Value;
        _state.Pending = null;
        await SaveAsync();
        await PublishRoutesAsync(cancellationToken);
        await Task.Delay(options.Value.DrainPeriod, time, cancellationToken);
        await RemoveDeploymentAsync(old, options.Value.StopGracePeriod);
        await SettleAsync(null, cancellationToken);
    }

    /// <summary>Weights change at once; instances are added (and must pass their pings) or drained and stopped.</summary>
    private async Task ChangeWeightsAndCapacitiesAsync(JsonObject document, CancellationToken cancellationToken)
    {
        var active = _state.Active!;
        var desired = document.GetArray("ProductionVariants").Objects().ToDictionary(v => v.GetString("VariantName")!, StringComparer.Ordinal);
        string? failure = null;
        var draining = new List<(VariantRecord Variant, List<ModelInstance> Instances)>();
        foreach (var variant in active.Variants)
        {
            if (!desired.TryGetValue(variant.Name, out var target))
            {
                continue;
            }

            variant.Weight = target.GetDouble("DesiredWeight") ?? variant.Weight;
            var count = target.GetInt("DesiredInstanceCount") ?? variant.DesiredInstanceCount;
            var live = LiveInstances(variant).ToList();
            if (count > live.Count)
            {
                var started = await deployer.StartHealthyAsync(_endpoint, active.Id, variant, count - live.Count, SaveAsync, cancellationToken);
                if (started.Succeeded)
                {
                    Track(started.Value!);
                    variant.DesiredInstanceCount = count;
                }
                else
                {
                    failure = started.Error!.Message;
                }
            }
            else if (count < live.Count)
            {
                // Unhealthy ones go first.
                var surplus = live.OrderBy(i => i.Healthy).Take(live.Count - count).ToList();
                foreach (var instance in surplus)
                {
                    instance.Healthy = false;
                }

                variant.DesiredInstanceCount = count;
                draining.Add((variant, surplus));
            }
        }

        await SaveAsync();
        await PublishRoutesAsync(cancellationToken);
        if (draining.Count > 0)
        {
            await Task.Delay(options.Value.DrainPeriod, time, cancellationToken);
            foreach (var (variant, instances) in draining)
            {
                await RemoveInstancesAsync(variant, instances, options.Value.StopGracePeriod);
            }
        }

        await SettleAsync(failure, cancellationToken);
    }

    /// <summary>One round of the health monitor: instances that exited or failed their pings are replaced; each variant is kept at its count.</summary>
    private async Task HealAsync(CancellationToken cancellationToken)
    {
        var active = _state.Active;
        if (active is null)
        {
            return;
        }

        var changed = false;
        foreach (var variant in active.Variants)
        {
            var live = LiveInstances(variant).ToList();
            var pings = await Task.WhenAll(live.Select(instance => deployer.PingAsync(instance, cancellationToken)));
            for (var i = 0; i < live.Count; i++)
            {
                live[i].FailedPings = pings[i] ? 0 : live[i].FailedPings + 1;
                changed |= live[i].Healthy != pings[i];
                live[i].Healthy = pings[i];
            }

            var dead = live.Where(i => i.HasExited || i.FailedPings >= options.Value.FailedPingsBeforeReplacement).ToList();
            foreach (var instance in dead)
            {
                LogReplacing(logger, _endpoint.Name, instance.Record.ContainerName, instance.ExitCode, await deployer.LastLinesAsync(instance));
            }

            if (dead.Count > 0)
            {
                await PublishRoutesAsync(cancellationToken);
                await RemoveInstancesAsync(variant, dead, TimeSpan.Zero);
                changed = true;
            }

            var missing = variant.DesiredInstanceCount - LiveInstances(variant).Count();
            if (missing > 0)
            {
                var started = await deployer.StartHealthyAsync(_endpoint, active.Id, variant, missing, SaveAsync, cancellationToken);
                if (started.Succeeded)
                {
                    Track(started.Value!);
                    changed = true;
                }
                else
                {
                    LogReplacementFailed(logger, _endpoint.Name, variant.Name, started.Error!.Message);
                }
            }
        }

        if (changed)
        {
            await PublishRoutesAsync(cancellationToken);
            await SettleAsync(null, cancellationToken, onlyCounts: true);
        }
    }

    /// <summary>Prepares a configuration and brings all its variants up together; on failure nothing of it remains.</summary>
    private async Task<Core.Errors.Result<DeploymentRecord>> DeployAsync(string configName, CancellationToken cancellationToken, bool pending = false)
    {
        var prepared = await deployer.PrepareAsync(_endpoint, configName, cancellationToken);
        if (!prepared.Succeeded)
        {
            return prepared;
        }

        var deployment = prepared.Value!;
        if (pending)
        {
            _state.Pending = deployment;
        }
        else
        {
            _state.Active = deployment;
        }

        await SaveAsync();
        var results = await Task.WhenAll(deployment.Variants.Select(variant =>
            deployer.StartHealthyAsync(_endpoint, deployment.Id, variant, variant.DesiredInstanceCount, SaveAsync, cancellationToken)));
        foreach (var started in results.Where(r => r.Succeeded))
        {
            Track(started.Value!);
        }

        if (results.Select(r => r.Error).FirstOrDefault(e => e is not null) is { } failure)
        {
            await RemoveDeploymentAsync(deployment, TimeSpan.Zero);
            if (!pending)
            {
                _state.Active = null;
            }

            return failure;
        }

        return deployment;
    }

    private async Task DeleteAsync()
    {
        File.Delete(workspace.RoutesPath(_endpoint.AccountId, _endpoint.Name));
        await RemoveDeploymentAsync(_state.Pending, options.Value.StopGracePeriod);
        await RemoveDeploymentAsync(_state.Active, options.Value.StopGracePeriod);
        EndpointDeployer.TryDeleteDirectory(_endpoint.Root);
        LogDeleted(logger, _endpoint.Name);
    }

    private async Task RemoveDeploymentAsync(DeploymentRecord? deployment, TimeSpan gracePeriod)
    {
        if (deployment is null)
        {
            return;
        }

        await Task.WhenAll(deployment.Variants.Select(variant => RemoveInstancesAsync(variant, LiveInstances(variant).ToList(), gracePeriod)));
        EndpointDeployer.TryDeleteDirectory(_endpoint.DeploymentDirectory(deployment.Id));
    }

    private async Task RemoveInstancesAsync(VariantRecord variant, List<ModelInstance> instances, TimeSpan gracePeriod)
    {
        foreach (var instance in instances)
        {
            _live.Remove(instance.Record);
        }

        await deployer.RemoveAsync(variant, instances, gracePeriod, SaveAsync);
    }

    private IEnumerable<ModelInstance> LiveInstances(VariantRecord variant) =>
        variant.Instances.Where(_live.ContainsKey).Select(record => _live[record]);

    private void Track(List<ModelInstance> instances)
    {
        foreach (var instance in instances)
        {
            _live[instance.Record] = instance;
        }
    }

    private Task SaveAsync() => _state.SaveAsync(_endpoint.StatePath, CancellationToken.None);

    /// <summary>Writes routes.json when the healthy instances or weights changed; the API serves it to the gateway.</summary>
    private async Task PublishRoutesAsync(CancellationToken cancellationToken)
    {
        var routes = (_state.Active?.Variants ?? [])
            .Select(v => new VariantRoute(v.Name, v.Weight, LiveInstances(v).Where(i => i.Healthy).Select(i => i.Address!).ToList()))
            .ToList();
        var text = JsonSerializer.Serialize(routes);
        if (text == _publishedRoutes)
        {
            return;
        }

        using var content = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text));
        await AtomicFile.WriteAsync(workspace.RoutesPath(_endpoint.AccountId, _endpoint.Name), content, cancellationToken);
        _publishedRoutes = text;
    }

    /// <summary>
    /// Writes the live deployment into the document: InService, its configuration and per-variant weights and counts.
    /// With <paramref name="onlyCounts"/> (the health monitor) only CurrentInstanceCount changes, and only on an InService endpoint.
    /// </summary>
    private async Task SettleAsync(string? failureReason, CancellationToken cancellationToken, bool onlyCounts = false)
    {
        var active = _state.Active!;
        // An update that settled on another configuration shows that configuration's members from now on.
        var config = onlyCounts ? null : await documents.ReadAsync(ResourceCatalog.EndpointConfig, _endpoint.AccountId, active.EndpointConfigName, cancellationToken);
        await documents.UpdateAsync(Endpoint, _endpoint.AccountId, _endpoint.Name, (document, now) =>
        {
            if (onlyCounts)
            {
                var changed = false;
                foreach (var summary in document.GetArray("ProductionVariants").Objects())
                {
                    var variant = active.Variants.FirstOrDefault(v => v.Name == summary.GetString("VariantName"));
                    var healthy = variant is null ? 0 : LiveInstances(variant).Count(i => i.Healthy);
                    if (variant is not null && summary.GetInt("CurrentInstanceCount") != healthy)
                    {
                        summary["CurrentInstanceCount"] = healthy;
                        changed = true;
                    }
                }

                return changed && document.GetString("EndpointStatus") == EndpointStatus.InService;
            }

            var previous = document.GetArray("ProductionVariants").Objects().ToDictionary(v => v.GetString("VariantName")!, StringComparer.Ordinal);
            document["EndpointStatus"] = EndpointStatus.InService;
            document["EndpointConfigName"] = active.EndpointConfigName;
            if (config is not null)
            {
                ResourceDocuments.ShowConfiguration(document, config);
            }

            var summaries = new JsonArray();
            foreach (var variant in active.Variants)
            {
                summaries.Add(Summary(variant, previous.GetValueOrDefault(variant.Name), now));
            }

            document["ProductionVariants"] = summaries;
            document.Remove("PendingDeploymentSummary");
            if (failureReason is null)
            {
                document.Remove("FailureReason");
            }
            else
            {
                document["FailureReason"] = failureReason;
            }

            return true;
        }, cancellationToken);
    }

    private JsonObject Summary(VariantRecord variant, JsonObject? previous, DateTimeOffset now)
    {
        var summary = new JsonObject
        {
            ["VariantName"] = variant.Name,
            ["DeployedImages"] = new JsonArray(new JsonObject
            {
                ["SpecifiedImage"] = variant.Image,
                ["ResolutionTime"] = Timestamps.ToEpochSeconds(now),
            }),
            ["CurrentWeight"] = variant.Weight,
            ["DesiredWeight"] = variant.Weight,
            ["CurrentInstanceCount"] = LiveInstances(variant).Count(i => i.Healthy),
            ["DesiredInstanceCount"] = variant.DesiredInstanceCount,
        };
        if (previous?["RoutingConfig"] is { } routing)
        {
            summary["RoutingConfig"] = routing.DeepClone();
        }

        return summary;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Endpoint {Endpoint} re-attached to container {Container}")]
    private static partial void LogReattached(ILogger logger, string endpoint, string container);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Endpoint {Endpoint} failed: {Reason}")]
    private static partial void LogFailed(ILogger logger, string endpoint, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Endpoint {Endpoint}: the update was rolled back: {Reason}")]
    private static partial void LogUpdateRolledBack(ILogger logger, string endpoint, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Endpoint {Endpoint}: replacing instance {Container} (exit code {ExitCode}); its last log lines: {Lines}")]
    private static partial void LogReplacing(ILogger logger, string endpoint, string container, int? exitCode, string lines);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Endpoint {Endpoint}: a replacement instance of variant {Variant} did not start: {Reason}")]
    private static partial void LogReplacementFailed(ILogger logger, string endpoint, string variant, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Endpoint {Endpoint}: the container engine failed ({Reason}); trying again")]
    private static partial void LogEngineFault(ILogger logger, string endpoint, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Endpoint {Endpoint} deleted: its containers and files are removed")]
    private static partial void LogDeleted(ILogger logger, string endpoint);
}
