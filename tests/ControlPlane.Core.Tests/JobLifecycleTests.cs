using System.Text.Json.Nodes;
using ControlPlane.Core.Documents;
using ControlPlane.Core.Lifecycle;
using ControlPlane.Core.Resources;

namespace ControlPlane.Core.Tests;

public class JobLifecycleTests
{
    private static DateTimeOffset Later => Wire.Now.AddMinutes(5);

    private static double LaterSeconds => Wire.NowSeconds + 300;

    private static JsonObject NewTrainingJob() =>
        Wire.Ok(ResourceDocuments.TrainingJob(Wire.Valid("CreateTrainingJob", Requests.TrainingJob()), Wire.Scope, Wire.Now));

    private static JsonObject NewProcessingJob() =>
        Wire.Ok(ResourceDocuments.ProcessingJob(Wire.Valid("CreateProcessingJob", Requests.ProcessingJob()), Wire.Scope, Wire.Now));

    private static JsonObject NewTransformJob() =>
        Wire.Ok(ResourceDocuments.TransformJob(Wire.Valid("CreateTransformJob", Requests.TransformJob()), Wire.Scope, Wire.Now));

    private static (JobLifecycle Lifecycle, JsonObject Document) Job(string kind) => kind switch
    {
        "training" => (JobLifecycle.Training, NewTrainingJob()),
        "processing" => (JobLifecycle.Processing, NewProcessingJob()),
        "transform" => (JobLifecycle.Transform, NewTransformJob()),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    [Fact]
    public void Stopping_a_training_job_in_progress_moves_it_to_stopping()
    {
        var document = NewTrainingJob();

        var result = JobLifecycle.Training.RequestStop(document, Later);

        Assert.True(Wire.Ok(result));
        Assert.Equal("Stopping", document["TrainingJobStatus"].Str());
        Assert.Equal("Stopping", document["SecondaryStatus"].Str());
        Assert.Equal(LaterSeconds, document["LastModifiedTime"].Dbl());
    }

    [Fact]
    public void Stopping_a_training_job_closes_the_open_transition_and_opens_a_stopping_one()
    {
        var document = NewTrainingJob();

        JobLifecycle.Training.RequestStop(document, Later);

        var transitions = document["SecondaryStatusTransitions"]!.AsArray();
        Assert.Equal(2, transitions.Count);
        Assert.Equal("Starting", transitions[0]!["Status"].Str());
        Assert.Equal(LaterSeconds, transitions[0]!["EndTime"].Dbl());
        Assert.Equal("Stopping", transitions[1]!["Status"].Str());
        Assert.Equal(LaterSeconds, transitions[1]!["StartTime"].Dbl());
        Assert.Equal("Stopping the training job", transitions[1]!["StatusMessage"].Str());
        Assert.False(transitions[1]!.AsObject().ContainsKey("EndTime"));
    }

    [Theory]
    [InlineData("processing", "ProcessingJobStatus")]
    [InlineData("transform", "TransformJobStatus")]
    public void Stopping_a_processing_or_transform_job_in_progress_moves_it_to_stopping_without_secondary_status(string kind, string statusMember)
    {
        var (lifecycle, document) = Job(kind);

        Assert.True(Wire.Ok(lifecycle.RequestStop(document, Later)));

        Assert.Equal("Stopping", document[statusMember].Str());
        Assert.Equal(LaterSeconds, document["LastModifiedTime"].Dbl());
        Assert.False(document.ContainsKey("SecondaryStatus"));
        Assert.False(document.ContainsKey("SecondaryStatusTransitions"));
    }

    [Theory]
    [InlineData("training")]
    [InlineData("processing")]
    [InlineData("transform")]
    public void Stopping_a_job_that_is_already_stopping_is_a_no_op(string kind)
    {
        var (lifecycle, document) = Job(kind);
        lifecycle.RequestStop(document, Later);
        var before = document.ToJsonString();

        var result = lifecycle.RequestStop(document, Later.AddMinutes(1));

        Assert.True(result.Succeeded);
        Assert.False(result.Value);
        Assert.Equal(before, document.ToJsonString());
    }

    [Theory]
    [InlineData("training", "Completed", "training job")]
    [InlineData("training", "Failed", "training job")]
    [InlineData("training", "Stopped", "training job")]
    [InlineData("processing", "Completed", "processing job")]
    [InlineData("processing", "Failed", "processing job")]
    [InlineData("processing", "Stopped", "processing job")]
    [InlineData("transform", "Completed", "transform job")]
    [InlineData("transform", "Failed", "transform job")]
    [InlineData("transform", "Stopped", "transform job")]
    public void Stopping_a_finished_job_is_rejected_naming_its_status(string kind, string status, string noun)
    {
        var (lifecycle, document) = Job(kind);
        document[lifecycle.Type.StatusMember!] = status;
        var before = document.ToJsonString();

        var error = Wire.FailsValidation(lifecycle.RequestStop(document, Later));

        Assert.Equal($"The request was rejected because the {noun} is in status {status}.", error.Message);
        Assert.Equal(before, document.ToJsonString());
    }

    [Fact]
    public void The_lifecycle_reads_the_status_of_its_own_job_type()
    {
        Assert.Equal("InProgress", JobLifecycle.Training.Status(NewTrainingJob()));
        Assert.Equal("InProgress", JobLifecycle.Processing.Status(NewProcessingJob()));
        Assert.Equal("InProgress", JobLifecycle.Transform.Status(NewTransformJob()));
    }

    [Fact]
    public void Each_job_kind_has_its_lifecycle_and_other_kinds_have_none()
    {
        Assert.Same(JobLifecycle.Training, JobLifecycle.For(ResourceKind.TrainingJob));
        Assert.Same(JobLifecycle.Processing, JobLifecycle.For(ResourceKind.ProcessingJob));
        Assert.Same(JobLifecycle.Transform, JobLifecycle.For(ResourceKind.TransformJob));
        Assert.Throws<ArgumentOutOfRangeException>(() => JobLifecycle.For(ResourceKind.Endpoint));
        Assert.Throws<ArgumentOutOfRangeException>(() => JobLifecycle.For(ResourceKind.Model));
    }

    [Theory]
    [InlineData("Completed", true)]
    [InlineData("Failed", true)]
    [InlineData("Stopped", true)]
    [InlineData("InProgress", false)]
    [InlineData("Stopping", false)]
    public void Completed_failed_and_stopped_are_the_terminal_job_statuses(string status, bool terminal)
    {
        Assert.Equal(terminal, JobStatus.IsTerminal(status));
    }
}

public class SecondaryStatusHistoryTests
{
    private static JsonObject Started()
    {
        var document = new JsonObject();
        SecondaryStatusHistory.Enter(document, TrainingSecondaryStatus.Starting, "Starting the training job", Wire.Now);
        return document;
    }

    [Fact]
    public void The_first_entry_opens_the_history()
    {
        var document = Started();

        var entry = Assert.Single(document["SecondaryStatusTransitions"]!.AsArray())!;
        Assert.Equal("Starting", entry["Status"].Str());
        Assert.Equal("Starting the training job", entry["StatusMessage"].Str());
        Assert.Equal(Wire.NowSeconds, entry["StartTime"].Dbl());
        Assert.Equal("Starting", document["SecondaryStatus"].Str());
        Assert.Equal(Wire.NowSeconds, document["LastModifiedTime"].Dbl());
    }

    [Fact]
    public void A_new_message_in_the_same_status_updates_the_open_entry_without_adding_one()
    {
        var document = Started();

        SecondaryStatusHistory.Enter(document, TrainingSecondaryStatus.Starting, "Preparing the instances for training", Wire.Now.AddSeconds(30));

        var entry = Assert.Single(document["SecondaryStatusTransitions"]!.AsArray())!.AsObject();
        Assert.Equal("Preparing the instances for training", entry["StatusMessage"].Str());
        Assert.Equal(Wire.NowSeconds, entry["StartTime"].Dbl());
        Assert.False(entry.ContainsKey("EndTime"));
        Assert.Equal(Wire.NowSeconds + 30, document["LastModifiedTime"].Dbl());
    }

    [Fact]
    public void A_new_status_ends_the_previous_entry_and_appends_one()
    {
        var document = Started();

        SecondaryStatusHistory.Enter(document, TrainingSecondaryStatus.Downloading, "Downloading input data", Wire.Now.AddSeconds(60));
        SecondaryStatusHistory.Enter(document, TrainingSecondaryStatus.Training, "Downloading the training image", Wire.Now.AddSeconds(90));

        var transitions = document["SecondaryStatusTransitions"]!.AsArray();
        Assert.Equal(["Starting", "Downloading", "Training"], transitions.Select(t => t!["Status"].Str()));
        Assert.Equal(Wire.NowSeconds + 60, transitions[0]!["EndTime"].Dbl());
        Assert.Equal(Wire.NowSeconds + 60, transitions[1]!["StartTime"].Dbl());
        Assert.Equal(Wire.NowSeconds + 90, transitions[1]!["EndTime"].Dbl());
        Assert.False(transitions[2]!.AsObject().ContainsKey("EndTime"));
        Assert.Equal("Training", document["SecondaryStatus"].Str());
    }

    [Fact]
    public void Every_entry_carries_a_status_message()
    {
        var document = Started();
        SecondaryStatusHistory.Enter(document, TrainingSecondaryStatus.Uploading, "Uploading generated training model", Wire.Now.AddSeconds(60));
        SecondaryStatusHistory.Enter(document, TrainingSecondaryStatus.Completed, "Training job completed", Wire.Now.AddSeconds(70));

        Assert.All(document["SecondaryStatusTransitions"]!.AsArray(), t => Assert.False(string.IsNullOrEmpty(t!["StatusMessage"].Str())));
    }
}

public class EndpointStatusTests
{
    [Theory]
    [InlineData("InService", true)]
    [InlineData("Creating", false)]
    [InlineData("Updating", false)]
    [InlineData("SystemUpdating", false)]
    [InlineData("RollingBack", false)]
    [InlineData("Deleting", false)]
    [InlineData("Failed", false)]
    [InlineData("OutOfService", false)]
    [InlineData("UpdateRollbackFailed", false)]
    public void Only_an_in_service_endpoint_can_be_updated(string status, bool canUpdate)
    {
        Assert.Equal(canUpdate, EndpointStatus.CanUpdate(status));
    }

    [Fact]
    public void Every_endpoint_status_constant_is_in_the_models_enum()
    {
        var values = typeof(EndpointStatus).GetFields().Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!).ToList();

        Assert.Equal(
            SageMakerServiceModelEnum("EndpointStatus").Order(StringComparer.Ordinal),
            values.Order(StringComparer.Ordinal));
    }

    private static IReadOnlyList<string> SageMakerServiceModelEnum(string shape) =>
        ControlPlane.Core.ServiceModel.SageMakerServiceModel.Current.Shape(shape).Enum!;
}
