using System.Net;
using ControlPlane.Client.Model;
using ControlPlane.Client.Tests.Infrastructure;

namespace ControlPlane.Client.Tests;

/// <summary>Error responses become typed exceptions carrying the code, message, HTTP status and request id.</summary>
public sealed class ExceptionTests(ApiOnlyService fixture) : IClassFixture<ApiOnlyService>
{
    [Fact]
    public async Task A_missing_training_job_is_a_ValidationException_with_the_services_message_status_and_request_id()
    {
        using var client = fixture.Client();

        var error = await Assert.ThrowsAsync<ValidationException>(() => client.DescribeTrainingJobAsync(new DescribeTrainingJobRequest { TrainingJobName = "never-created" }));

        Assert.Equal(("ValidationException", "Requested resource not found.", HttpStatusCode.BadRequest), (error.ErrorCode, error.Message, error.StatusCode));
        Assert.True(Guid.TryParse(error.RequestId, out _), error.RequestId);
    }

    [Fact]
    public async Task Bad_input_is_a_ValidationException_with_SageMakers_constraint_message()
    {
        using var client = fixture.Client();

        var error = await Assert.ThrowsAsync<ValidationException>(() => client.CreateModelAsync(Shapes.Model("bad_name")));

        Assert.StartsWith("1 validation error detected: Value 'bad_name' at 'modelName' failed to satisfy constraint", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_duplicate_job_name_is_a_ResourceInUseException()
    {
        using var client = fixture.Client();
        var name = Shapes.Unique("dup");
        await client.CreateTrainingJobAsync(Shapes.TrainingJob(name));

        var error = await Assert.ThrowsAsync<ResourceInUseException>(() => client.CreateTrainingJobAsync(Shapes.TrainingJob(name)));

        Assert.Equal("ResourceInUse", error.ErrorCode);
        Assert.Contains("a training job with this name already exists", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Every code with a type, as SageMaker sends it; most of them the control plane never sends today (quotas, conflicts, throttling, IAM).</summary>
    [Theory]
    [InlineData(400, "ResourceNotFound", typeof(ResourceNotFoundException))]
    [InlineData(400, "ResourceLimitExceeded", typeof(ResourceLimitExceededException))]
    [InlineData(400, "ConflictException", typeof(ConflictException))]
    [InlineData(400, "ThrottlingException", typeof(ThrottlingException))]
    [InlineData(400, "AccessDeniedException", typeof(AuthenticationException))]
    [InlineData(400, "InvalidSignatureException", typeof(AuthenticationException))]
    [InlineData(400, "com.amazon.coral.validate#ValidationException:http://internal.amazon.com/coral/", typeof(ValidationException))]
    [InlineData(500, "InternalFailure", typeof(ServiceFaultException))]
    [InlineData(503, "ServiceUnavailable", typeof(ServiceFaultException))]
    [InlineData(400, "UnknownOperationException", typeof(SageMakerException))]
    public async Task Each_error_code_arrives_as_its_exception_type(int status, string code, Type expected)
    {
        await using var server = new LoopbackHttpServer((_, _) => Reply.JsonError(status, code, "the reason"));
        using var client = Clients.For(server.Address, o => o.MaxErrorRetry = 0);

        var error = await Assert.ThrowsAnyAsync<SageMakerException>(() => client.DescribeModelAsync(new DescribeModelInput { ModelName = "m" }));

        Assert.Equal(expected, error.GetType());
        Assert.Equal(("the reason", (HttpStatusCode)status), (error.Message, error.StatusCode));
        Assert.Equal(code.Split('#').Last().Split(':')[0], error.ErrorCode);
        Assert.True(Guid.TryParse(error.RequestId, out _), error.RequestId);
    }
}
