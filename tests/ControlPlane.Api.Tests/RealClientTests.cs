using ControlPlane.Api.Tests.Infrastructure;

namespace ControlPlane.Api.Tests;

/// <summary>
/// The service driven by the clients users really have: boto3 (with its paginators and waiters) and the aws CLI,
/// each script in <c>wire/</c> run as <c>python3 script url</c> against the real service process. A script prints
/// <c>PASS name</c> / <c>FAIL name: reason</c> per check and exits non-zero when any check failed.
/// </summary>
public sealed class RealClientTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    [Fact]
    public Task Boto3_lifecycle_of_every_resource_type_matches_SageMaker() => RunScriptAsync("boto3_lifecycle.py");

    [Fact]
    public Task Boto3_errors_carry_the_codes_and_messages_that_waiters_and_users_code_match_on() => RunScriptAsync("boto3_errors.py");

    [Fact]
    public Task Boto3_paginators_see_every_item_once_in_SageMaker_default_order() => RunScriptAsync("boto3_pagination.py");

    [Fact]
    public Task Aws_cli_commands_create_describe_list_stop_tag_and_delete_like_SageMaker() => RunScriptAsync("aws_cli.py");

    private Task RunScriptAsync(string script) => WireScripts.RunAsync(fixture.Service, script);
}
