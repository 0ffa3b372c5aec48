using System.Net;
using System.Net.Http.Headers;
using System.Text;
using ControlPlane.Api.Tests.Infrastructure;

namespace ControlPlane.Api.Tests;

/// <summary>
/// <c>ControlPlane:Authentication:Mode=sigv4</c>: real clients signed with configured keys get in, every forgery is
/// refused with AWS's code and status (<c>wire/sigv4_auth.py</c>); REST takes API keys, browsers Basic credentials;
/// /health stays open; the Hangfire dashboard and Swagger UI are closed to anonymous users.
/// </summary>
public sealed class AuthenticationTests(SignedServiceFixture fixture) : IClassFixture<SignedServiceFixture>
{
    [Fact]
    public Task Boto3_and_the_aws_CLI_signed_with_configured_keys_are_accepted_and_forgeries_refused_with_AWS_codes() =>
        WireScripts.RunAsync(fixture.Service, "sigv4_auth.py");

    [Fact]
    public async Task A_request_signed_by_an_independent_signer_reaches_the_operation()
    {
        var response = await fixture.Door("wire", TestAccessKey.Alpha).InvokeAsync("ListModels", new { });

        Assert.Equal(HttpStatusCode.OK, response.Status);
    }

    [Fact]
    public async Task The_REST_routes_take_an_access_keys_API_key_and_refuse_anonymous_callers()
    {
        var withKey = await fixture.Door("rest", TestAccessKey.Alpha).InvokeAsync("ListModels", new { });
        using var anonymous = await fixture.Service.Http.GetAsync("/api/models");

        Assert.Equal(HttpStatusCode.OK, withKey.Status);
        Assert.Equal(HttpStatusCode.Forbidden, anonymous.StatusCode);
        Assert.Equal("MissingAuthenticationTokenException", anonymous.Headers.GetValues("x-amzn-ErrorType").Single());
        Assert.Contains("\"message\":\"Missing Authentication Token\"", await anonymous.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_REST_routes_take_a_SigV4_signature_too_with_the_query_signed()
    {
        using var signed = new HttpClient(new SigV4SigningHandler(TestAccessKey.Bravo.AccessKeyId, TestAccessKey.Bravo.SecretAccessKey, "eu-west-1")) { BaseAddress = fixture.Service.BaseAddress };

        using var response = await signed.GetAsync("/api/models?nameContains=a-b&maxResults=5&sortOrder=Descending");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task An_unknown_API_key_is_an_UnrecognizedClientException()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/models");
        request.Headers.Add("X-Api-Key", "not-a-configured-key");

        using var response = await fixture.Service.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("UnrecognizedClientException", response.Headers.GetValues("x-amzn-ErrorType").Single());
    }

    [Fact]
    public async Task An_API_key_does_not_open_the_wire_protocol_which_takes_signatures_only()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/") { Content = new StringContent("{}", Encoding.UTF8, "application/x-amz-json-1.1") };
        request.Headers.Add("X-Amz-Target", "SageMaker.ListModels");
        request.Headers.Add("X-Api-Key", TestAccessKey.Alpha.ApiKey);

        using var response = await fixture.Service.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("MissingAuthenticationTokenException", response.Headers.GetValues("x-amzn-ErrorType").Single());
    }

    [Theory]
    [InlineData("/hangfire")]
    [InlineData("/swagger/index.html")]
    public async Task Browser_pages_challenge_anonymous_users_and_open_with_an_access_keys_Basic_credentials(string page)
    {
        using var anonymous = await fixture.Service.Http.GetAsync(page);
        using var wrongSecret = await Send(page, new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("AKIDALPHA:wrong"))));
        using var signedIn = await fixture.Basic(TestAccessKey.Alpha).GetAsync(page);

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.StartsWith("Basic", anonymous.Headers.WwwAuthenticate.Single().Scheme, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, wrongSecret.StatusCode);
        Assert.Equal(HttpStatusCode.OK, signedIn.StatusCode);
    }

    [Fact]
    public async Task The_Hangfire_dashboard_opens_with_an_operators_API_key_and_stays_closed_to_other_accounts_keys()
    {
        using var byOperator = new HttpRequestMessage(HttpMethod.Get, "/hangfire");
        byOperator.Headers.Add("X-Api-Key", TestAccessKey.Alpha.ApiKey);
        using var byAccount = new HttpRequestMessage(HttpMethod.Get, "/hangfire");
        byAccount.Headers.Add("X-Api-Key", TestAccessKey.Bravo.ApiKey);

        using var operatorResponse = await fixture.Service.Http.SendAsync(byOperator);
        using var accountResponse = await fixture.Service.Http.SendAsync(byAccount);
        using var accountBasic = await fixture.Basic(TestAccessKey.Bravo).GetAsync("/hangfire");

        Assert.Equal(HttpStatusCode.OK, operatorResponse.StatusCode);
        Assert.Contains(accountResponse.StatusCode, new[] { HttpStatusCode.Unauthorized, HttpStatusCode.Forbidden });
        Assert.Contains(accountBasic.StatusCode, new[] { HttpStatusCode.Unauthorized, HttpStatusCode.Forbidden });
    }

    [Fact]
    public async Task A_state_change_with_Basic_credentials_from_another_site_is_refused()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/models") { Content = new StringContent(Requests.Model(Requests.Unique("csrf")).ToJsonString(), Encoding.UTF8, "text/plain") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", TestAccessKey.Alpha.BasicCredentials);
        request.Headers.Add("Origin", "https://evil.example");

        using var response = await fixture.Service.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task Health_stays_open()
    {
        using var response = await fixture.Service.Http.GetAsync("/health");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_signed_body_over_the_limit_is_refused_with_a_400_before_it_is_verified()
    {
        var wire = (WireDoor)fixture.Door("wire", TestAccessKey.Alpha);

        var response = await wire.SendAsync("SageMaker.CreateModel", "{\"ModelName\": \"" + new string('a', 4 * 1024 * 1024) + "\"}");

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal("The request body exceeds the maximum size of 4194304 bytes.", response.Message);
    }

    [Fact]
    public async Task Neither_secrets_nor_signatures_nor_API_keys_reach_the_service_log()
    {
        // Refused and accepted requests of every kind first, so the log has had the chance to see them.
        await fixture.Door("wire", TestAccessKey.Alpha).InvokeAsync("ListModels", new { });
        await fixture.Door("wire", TestAccessKey.Alpha with { SecretAccessKey = "wrong" }).InvokeAsync("ListModels", new { });
        await fixture.Door("rest", TestAccessKey.Bravo).InvokeAsync("ListModels", new { });
        using var _ = await fixture.Basic(TestAccessKey.Alpha).GetAsync("/hangfire");

        var log = fixture.Service.Output;
        Assert.Contains("Refused POST /: InvalidSignatureException", log, StringComparison.Ordinal);
        foreach (var secret in new[] { "alpha-secret", "bravo-secret", TestAccessKey.Alpha.ApiKey, TestAccessKey.Bravo.ApiKey, "Signature=", TestAccessKey.Alpha.BasicCredentials })
        {
            Assert.DoesNotContain(secret, log, StringComparison.Ordinal);
        }
    }

    private async Task<HttpResponseMessage> Send(string path, AuthenticationHeaderValue authorization)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = authorization;
        return await fixture.Service.Http.SendAsync(request);
    }
}

/// <summary>What the service refuses to start with: anonymous access on a network address, or SigV4 without keys.</summary>
public sealed class AuthenticationStartupTests
{
    [Fact]
    public async Task Mode_none_refuses_to_listen_on_a_non_loopback_address_and_says_why()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => ServiceProcess.StartAsync("--urls", "http://0.0.0.0:0"));

        Assert.Contains("ControlPlane cannot start: ControlPlane:Authentication:Mode is none (no authentication), but the service would listen on http://0.0.0.0:0", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mode_none_listens_on_a_non_loopback_address_when_the_operator_allows_it()
    {
        await using var service = await ServiceProcess.StartAsync([.. ServiceFixture.WithoutWorkers, "--urls", "http://0.0.0.0:0", "--ControlPlane:Authentication:AllowAnonymousNonLoopback", "true"]);

        Assert.Contains("Now listening on: http://0.0.0.0:", service.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mode_sigv4_without_access_keys_refuses_to_start()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => ServiceProcess.StartAsync("--ControlPlane:Authentication:Mode", "sigv4"));

        Assert.Contains("Mode is sigv4 but no access key is configured", error.Message, StringComparison.Ordinal);
    }
}
