using System.Text.Json.Nodes;
using ControlPlane.Core.Documents;
using ControlPlane.Core.Errors;
using ControlPlane.Core.Resources;

namespace ControlPlane.Core.Lifecycle;

/// <summary>Primary statuses shared by training, processing and transform jobs (contract section 3).</summary>
public static class JobStatus
{
    public const string InProgress = "InProgress";
    public const string Completed = "Completed";
    public const string Failed = "Failed";
    public const string Stopping = "Stopping";
    public const string Stopped = "Stopped";

    public static bool IsTerminal(string status) => status is Completed or Failed or Stopped;
}

/// <summary>
/// The state machine of a job: InProgress → Completed | Failed, InProgress → Stopping → Stopped. Transitions are
/// applied to the job's stored document, so the document is the job's whole state.
/// </summary>
public sealed class JobLifecycle
{
    private JobLifecycle(ResourceType type) => Type = type;

    public static JobLifecycle Training { get; } = new(ResourceType.TrainingJob);

    public static JobLifecycle Processing { get; } = new(ResourceType.ProcessingJob);

    public static JobLifecycle Transform { get; } = new(ResourceType.TransformJob);

    public ResourceType Type { get; }

    public static JobLifecycle For(ResourceKind kind) => kind switch
    {
        ResourceKind.TrainingJob => Training,
        ResourceKind.ProcessingJob => Processing,
        ResourceKind.TransformJob => Transform,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not a job."),
    };

    public string Status(JsonObject document) => document.GetString(Type.StatusMember!)!;

    /// <summary>
    /// StopXxxJob: a running job moves to Stopping (the worker then ends it Stopped); a job already stopping is left
    /// as it is; a finished job cannot be stopped.
    /// </summary>
    public Result<bool> RequestStop(JsonObject document, DateTimeOffset now)
    {
        var status = Status(document);
        switch (status)
        {
            case JobStatus.Stopping:
                return false;
            case JobStatus.InProgress:
                document[Type.StatusMember!] = JobStatus.Stopping;
                document["LastModifiedTime"] = Timestamps.ToEpochSeconds(now);
                if (Type.Kind == ResourceKind.TrainingJob)
                {
                    SecondaryStatusHistory.Enter(document, TrainingSecondaryStatus.Stopping, "Stopping the training job", now);
                }

                return true;
            default:
                return ApiError.Validation($"The request was rejected because the {Type.Noun} is in status {status}.");
        }
    }
}

/// <summary>The secondary statuses a training job shows, with the messages SageMaker prints for them.</summary>
public static class TrainingSecondaryStatus
{
    public const string Starting = "Starting";
    public const string Downloading = "Downloading";
    public const string Training = "Training";
    public const string Uploading = "Uploading";
    public const string Completed = "Completed";
    public const string Failed = "Failed";
    public const string Stopping = "Stopping";
    public const string Stopped = "Stopped";
    public const string MaxRuntimeExceeded = "MaxRuntimeExceeded";
    public const string Restarting = "Restarting";
}

/// <summary>
/// SecondaryStatusTransitions: an entry is appended when the secondary status changes and the previous entry gets its
/// EndTime; a new message within the same status replaces the open entry's StatusMessage, as SageMaker does.
/// </summary>
public static class SecondaryStatusHistory
{
    public static void Enter(JsonObject document, string status, string message, DateTimeOffset now)
    {
        var seconds = Timestamps.ToEpochSeconds(now);
        var transitions = document.GetArray("SecondaryStatusTransitions");
        if (transitions is null)
        {
            transitions = [];
            document["SecondaryStatusTransitions"] = transitions;
        }

        var open = transitions.Objects().LastOrDefault();
        if (open is not null && open.GetString("Status") == status)
        {
            open["StatusMessage"] = message;
        }
        else
        {
            open?.Default("EndTime", seconds);
            transitions.Add(new JsonObject { ["Status"] = status, ["StartTime"] = seconds, ["StatusMessage"] = message });
        }

        document["SecondaryStatus"] = status;
        document["LastModifiedTime"] = seconds;
    }
}
