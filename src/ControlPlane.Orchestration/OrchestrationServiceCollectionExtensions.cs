using ControlPlane.Application;
using ControlPlane.Application.Operations;
using ControlPlane.Orchestration.BuiltInAlgorithms;
using ControlPlane.Orchestration.Hosting;
using ControlPlane.Orchestration.Jobs;
using ControlPlane.Orchestration.Processing;
using ControlPlane.Orchestration.Runtimes;
using ControlPlane.Orchestration.Storage;
using ControlPlane.Orchestration.Training;
using ControlPlane.Orchestration.Transform;
using Hangfire;
using Hangfire.Storage.SQLite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ControlPlane.Orchestration;

public static class OrchestrationServiceCollectionExtensions
{
    /// <summary>
    /// The execution engine: Hangfire (SQLite storage in the data directory) with its workers in this process unless
    /// <c>ControlPlane:Orchestration:RunWorkers</c> is false, the object store, the container runtime and the job
    /// workflows. Scaling out means another Hangfire storage (PostgreSQL) shared by more worker processes.
    /// </summary>
    public static IServiceCollection AddControlPlaneOrchestration(this IServiceCollection services, IConfiguration configuration)
    {
        var orchestration = services.AddValidatedOptions<OrchestrationOptions>(configuration, OrchestrationOptions.SectionName);
        var hosting = services.AddValidatedOptions<HostingOptions>(configuration, HostingOptions.SectionName);
        services.AddOptions<BuiltInAlgorithmOptions>().Bind(configuration.GetSection(BuiltInAlgorithmOptions.SectionName));
        services.AddObjectStore(configuration);
        services.AddContainerRuntime(configuration);
        services.AddHangfire((provider, hangfire) =>
        {
            var dataDirectory = Path.GetFullPath(provider.GetRequiredService<IOptions<ControlPlaneOptions>>().Value.DataDirectory);
            Directory.CreateDirectory(dataDirectory);
            hangfire.SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
                .UseSimpleAssemblyNameTypeSerializer()
                .UseRecommendedSerializerSettings()
                .UseSQLiteStorage(Path.Combine(dataDirectory, "hangfire.db"), new SQLiteStorageOptions
                {
                    QueuePollInterval = orchestration.QueuePollInterval,
                    // A job's own lock and workspace guard against a second run; this only bounds how long Hangfire
                    // waits before it considers a job of a dead worker abandoned.
                    InvisibilityTimeout = TimeSpan.FromDays(29),
                    // Held locks are renewed by a heartbeat; a dead worker's lock frees up after this.
                    DistributedLockLifetime = TimeSpan.FromSeconds(10),
                });
        });

        if (orchestration.RunWorkers)
        {
            services.AddHangfireServer(server =>
            {
                server.WorkerCount = orchestration.WorkerCount;
                // Every workflow names its queue ([Queue("jobs")]); an idle worker polls each of its queues every QueuePollInterval.
                server.Queues = ["jobs"];
                server.SchedulePollingInterval = TimeSpan.FromSeconds(1);
            });
            services.AddSingleton<RecoveryLauncher>();
            services.AddHostedService<JobRecovery>();
            // Each endpoint's supervisor holds a worker for the endpoint's lifetime, so endpoints get workers of their own.
            services.AddHangfireServer(server =>
            {
                server.ServerName = $"{Environment.MachineName}:{Environment.ProcessId}:endpoints";
                server.WorkerCount = hosting.MaxEndpoints;
                server.Queues = ["endpoints"];
                server.SchedulePollingInterval = TimeSpan.FromSeconds(1);
            });
            // An asynchronous inference holds a worker while its model works (up to InvocationTimeoutSeconds): its own
            // workers, so that neither jobs nor endpoints wait behind it.
            services.AddHangfireServer(server =>
            {
                server.ServerName = $"{Environment.MachineName}:{Environment.ProcessId}:{AsyncInvocationWorkflow.QueueName}";
                server.WorkerCount = hosting.AsyncInvocationWorkers;
                server.Queues = [AsyncInvocationWorkflow.QueueName];
                server.SchedulePollingInterval = TimeSpan.FromSeconds(1);
            });
            services.AddHostedService<EndpointRecovery>();
            services.AddHostedService<AsyncInvocationRecovery>();
            services.AddHostedService<OrphanSweep>();
        }

        services.AddSingleton<JobWorkspace>();
        services.AddSingleton<JobDocuments>();
        services.AddSingleton<ContainerJobSupervisor>();
        services.AddSingleton<PipeChannelFeeder>();
        services.AddSingleton<ImmediateJobStarts>();
        services.AddSingleton<JobEntry>();
        services.AddTransient<TrainingJobWorkflow>();
        services.AddTransient<ProcessingJobWorkflow>();
        services.AddTransient<TransformJobWorkflow>();
        services.AddSingleton<HostingWorkspace>();
        services.AddSingleton<ModelArtifacts>();
        services.AddSingleton<EndpointDeployer>();
        services.AddTransient<EndpointWorkflow>();
        services.AddTransient<AsyncInvocationWorkflow>();
        services.AddSingleton<PendingAsyncInvocations>();
        services.AddSingleton<IAsyncInvocationQueue, HangfireAsyncInvocationQueue>();
        services.AddSingleton<IJobLauncher, HangfireJobLauncher>();
        return services;
    }

    /// <summary>
    /// Binds <typeparamref name="TOptions"/> to its section, validated at start-up, and returns the values configured now
    /// for what is set up before the service provider exists (Hangfire's servers).
    /// </summary>
    private static TOptions AddValidatedOptions<TOptions>(this IServiceCollection services, IConfiguration configuration, string sectionName)
        where TOptions : class, new()
    {
        var section = configuration.GetSection(sectionName);
        services.AddOptions<TOptions>().Bind(section).ValidateDataAnnotations().ValidateOnStart();
        return section.Get<TOptions>() ?? new TOptions();
    }
}
