using System.Text;
using ControlPlane.Core.Authentication;
using ControlPlane.Core.Errors;

namespace ControlPlane.Core.Tests;

/// <summary>
/// Signature Version 4 verification against signatures botocore computed (AWS's own get-vanilla vector and a signed
/// SageMaker call), and each way a claim is refused, with AWS's code, text and status.
/// </summary>
public sealed class SigV4VerifierTests
{
    private const string Secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    private const string DescribeBody = "{\"ModelName\":\"m\"}";
    private const string DescribeSignature = "665a12777a2755b0efb18880f1d30fb5f26c51b919ff15518d8c27f469afa4f8";

    private static readonly DateTimeOffset SignedAt = new(2015, 8, 30, 12, 36, 0, TimeSpan.Zero);

    [Fact]
    public void AWS_get_vanilla_test_vector_verifies()
    {
        var request = new Request("GET", new()
        {
            ["host"] = "example.amazonaws.com",
            ["x-amz-date"] = "20150830T123600Z",
            ["authorization"] = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
        });

        var key = Accept(Verifier(service: "service"), request, string.Empty);

        Assert.Equal("AKIDEXAMPLE", key.AccessKeyId);
    }

    [Fact]
    public void A_SageMaker_call_botocore_signed_for_any_region_verifies_and_names_its_account()
    {
        var key = Accept(Verifier(), Describe(), DescribeBody);

        Assert.Equal("111111111111", key.AccountId);
    }

    [Fact]
    public void A_query_string_as_botocore_sends_it_verifies_spaces_slashes_and_unicode_included()
    {
        var request = new Request(
            "GET",
            new()
            {
                ["host"] = "127.0.0.1:5080",
                ["x-amz-date"] = "20150830T123600Z",
                ["authorization"] = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/sagemaker/aws4_request, SignedHeaders=host;x-amz-date, Signature=ccc220aef84d0b03c5d4ed23ea8b95e9b47cf57a2767962760b41c0dfbb1d3bd",
            },
            "/api/models",
            "nameContains=a+b%2F%C3%A9~&maxResults=5&sortOrder=Descending");

        Accept(Verifier(), request, string.Empty);
    }

    [Fact]
    public void A_presigned_query_string_verifies_until_it_expires()
    {
        var request = new Request(
            "GET",
            new() { ["host"] = "127.0.0.1:5080" },
            "/api/models",
            "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fsagemaker%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-Expires=600&X-Amz-SignedHeaders=host&X-Amz-Signature=3bf55e4a931f73fca3e49cfae2e2c830f7e081b09ae85f77f6a459a4037ccfd4");
        var expired = new SigV4Verifier(Ring(), new FixedClock(SignedAt.AddSeconds(601)), "sagemaker", TimeSpan.FromMinutes(15));

        Accept(Verifier(), request, string.Empty);
        Assert.StartsWith("Signature expired: 20150830T123600Z is now earlier than 20150830T123601Z", Authenticate(expired, request).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_tampered_body_is_an_InvalidSignatureException_with_AWS_text()
    {
        var error = Reject(Verifier(), Describe(), "{\"ModelName\":\"n\"}");

        Assert.Equal((ErrorCodes.InvalidSignature, SigV4Errors.SignatureMismatchMessage, 403), (error.Code, error.Message, error.StatusCode));
    }

    [Fact]
    public void A_signature_made_with_another_secret_is_refused()
    {
        var verifier = new SigV4Verifier(new AccessKeyRing([new AccessKey("AKIDEXAMPLE", "another-secret", "111111111111")]), new FixedClock(SignedAt), "sagemaker", TimeSpan.FromMinutes(15));

        Assert.Equal(ErrorCodes.InvalidSignature, Reject(verifier, Describe(), DescribeBody).Code);
    }

    [Fact]
    public void A_payload_hash_header_that_is_not_the_body_hash_is_refused_even_when_signed()
    {
        var request = Describe();
        request.Headers["x-amz-content-sha256"] = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("{}"u8));

        var error = Reject(Verifier(), request, DescribeBody);

        Assert.Equal("The provided 'x-amz-content-sha256' header does not match what was computed.", error.Message);
    }

    [Theory]
    [InlineData(-16, "Signature expired: 20150830T123600Z is now earlier than 20150830T123700Z (20150830T125200Z - 15 min.)")]
    [InlineData(16, "Signature not yet current: 20150830T123600Z is still later than 20150830T123500Z (20150830T122000Z + 15 min.)")]
    public void A_date_more_than_15_minutes_from_the_clock_is_refused_with_AWS_text(int clockOffsetMinutes, string message)
    {
        var verifier = new SigV4Verifier(Ring(), new FixedClock(SignedAt.AddMinutes(-clockOffsetMinutes)), "sagemaker", TimeSpan.FromMinutes(15));

        var error = Authenticate(verifier, Describe());

        Assert.Equal((ErrorCodes.InvalidSignature, message, 403), (error.Code, error.Message, error.StatusCode));
    }

    [Fact]
    public void A_date_within_15_minutes_either_way_is_accepted()
    {
        foreach (var offset in new[] { -14, 14 })
        {
            var verifier = new SigV4Verifier(Ring(), new FixedClock(SignedAt.AddMinutes(offset)), "sagemaker", TimeSpan.FromMinutes(15));
            Accept(verifier, Describe(), DescribeBody);
        }
    }

    [Fact]
    public void An_unknown_access_key_is_an_UnrecognizedClientException()
    {
        var request = Describe();
        request.Headers["authorization"] = request.Headers["authorization"].Replace("AKIDEXAMPLE", "AKIDUNKNOWN", StringComparison.Ordinal);

        var error = Authenticate(Verifier(), request);

        Assert.Equal((ErrorCodes.UnrecognizedClient, "The security token included in the request is invalid.", 403), (error.Code, error.Message, error.StatusCode));
    }

    [Fact]
    public void A_credential_scoped_to_another_service_is_refused()
    {
        var request = Describe();
        request.Headers["authorization"] = request.Headers["authorization"].Replace("/sagemaker/", "/s3/", StringComparison.Ordinal);

        var error = Authenticate(Verifier(), request);

        Assert.Equal((ErrorCodes.InvalidSignature, "Credential should be scoped to correct service: 'sagemaker'. "), (error.Code, error.Message));
    }

    [Theory]
    [InlineData("AWS4-HMAC-SHA256 SignedHeaders=host;x-amz-date, Signature=00", "Authorization header requires 'Credential' parameter.")]
    [InlineData("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/sagemaker/aws4_request", "Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter.")]
    [InlineData("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/sagemaker/aws4_request, SignedHeaders=host;x-amz-date, Signature=00", "Credential 'AKIDEXAMPLE/20150830/sagemaker/aws4_request' is not of the form <AccessKeyId>/<yyyyMMdd>/<region>/<service>/aws4_request.")]
    [InlineData("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/sagemaker/aws4_request, SignedHeaders=x-amz-date, Signature=00", "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.")]
    [InlineData("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/sagemaker/aws4_request, SignedHeaders=host, Signature=00", "'X-Amz-Date' must be a 'SignedHeader' in the AWS Authorization.")]
    [InlineData("Bearer abc", "Unsupported AWS 'algorithm': 'Bearer'. The Authorization header must use AWS4-HMAC-SHA256.")]
    public void A_malformed_Authorization_header_is_an_IncompleteSignatureException(string authorization, string message)
    {
        var request = Describe();
        request.Headers["authorization"] = authorization;

        var error = Authenticate(Verifier(), request);

        Assert.Equal((ErrorCodes.IncompleteSignature, message, 400), (error.Code, error.Message, error.StatusCode));
    }

    [Fact]
    public void A_request_without_a_date_is_an_IncompleteSignatureException()
    {
        var request = Describe();
        request.Headers.Remove("x-amz-date");

        Assert.Equal("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.", Authenticate(Verifier(), request).Message);
    }

    [Fact]
    public void A_scope_date_other_than_the_request_date_is_refused()
    {
        var request = Describe();
        request.Headers["x-amz-date"] = "20150831T000100Z";

        var verifier = new SigV4Verifier(Ring(), new FixedClock(new DateTimeOffset(2015, 8, 31, 0, 1, 0, TimeSpan.Zero)), "sagemaker", TimeSpan.FromMinutes(15));

        Assert.StartsWith("Date in Credential scope does not match", Authenticate(verifier, request).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_signature_that_is_not_64_hex_digits_is_a_mismatch_not_a_fault()
    {
        var request = Describe();
        request.Headers["authorization"] = request.Headers["authorization"].Replace(DescribeSignature, "zz" + DescribeSignature[2..], StringComparison.Ordinal);

        Assert.Equal(SigV4Errors.SignatureMismatch, Reject(Verifier(), request, DescribeBody));
    }

    private static SigV4Verifier Verifier(string service = "sagemaker") => new(Ring(), new FixedClock(SignedAt), service, TimeSpan.FromMinutes(15));

    private static AccessKeyRing Ring() => new([new AccessKey("AKIDEXAMPLE", Secret, "111111111111"), new AccessKey("AKIDOTHER", "other", "222222222222")]);

    /// <summary>DescribeModel as botocore signs it for eu-west-1 at 2015-08-30T12:36:00Z.</summary>
    private static Request Describe() => new("POST", new()
    {
        ["host"] = "127.0.0.1:5080",
        ["content-type"] = "application/x-amz-json-1.1",
        ["x-amz-target"] = "SageMaker.DescribeModel",
        ["x-amz-date"] = "20150830T123600Z",
        ["authorization"] = $"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/eu-west-1/sagemaker/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature={DescribeSignature}",
    });

    private static AccessKey Accept(SigV4Verifier verifier, Request request, string body)
    {
        var pending = verifier.Authenticate(request);
        Assert.True(pending.Succeeded, pending.Error?.ToString());
        var key = verifier.Verify(pending.Value!, request, Encoding.UTF8.GetBytes(body));
        Assert.True(key.Succeeded, key.Error?.ToString());
        return key.Value!;
    }

    private static ApiError Reject(SigV4Verifier verifier, Request request, string body)
    {
        var pending = verifier.Authenticate(request);
        Assert.True(pending.Succeeded, pending.Error?.ToString());
        var key = verifier.Verify(pending.Value!, request, Encoding.UTF8.GetBytes(body));
        Assert.False(key.Succeeded);
        return key.Error!;
    }

    private static ApiError Authenticate(SigV4Verifier verifier, Request request)
    {
        var pending = verifier.Authenticate(request);
        Assert.False(pending.Succeeded);
        return pending.Error!;
    }

    private sealed record Request(string Method, Dictionary<string, string> Headers, string RawPath = "/", string RawQuery = "") : ISignedRequest
    {
        public string? Header(string lowerCaseName) => Headers.GetValueOrDefault(lowerCaseName);
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
