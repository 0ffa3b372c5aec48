using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using ControlPlane.Algorithms.Data;
using ControlPlane.Algorithms.Tests.Infrastructure;
using ControlPlane.Algorithms.XGBoost;

namespace ControlPlane.Algorithms.Tests.Serving;

public sealed class XgboostServingTests : IAsyncLifetime
{
    private readonly TrainingHarness _binaryHarness = new();
    private readonly TrainingHarness _softprobHarness = new();
    private readonly Datasets.Table _rows = Datasets.Binary(5, seed: 21);
    private IScoringModel _binary = null!;
    private IScoringModel _softprob = null!;
    private ServingHost _host = null!;

    public async Task InitializeAsync()
    {
        _binary = _binaryHarness.Train(new XgboostAlgorithm(), new() { ["num_round"] = "10", ["objective"] = "binary:logistic", ["nthread"] = "1" }, Datasets.Binary(500, seed: 20));
        _softprob = _softprobHarness.Train(new XgboostAlgorithm(), new() { ["num_round"] = "5", ["objective"] = "multi:softprob", ["num_class"] = "3", ["nthread"] = "1" }, Datasets.Multiclass(300, seed: 22, columns: 8));
        _host = await ServingHost.StartAsync(_binary, XgboostAlgorithm.AlgorithmName);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        _binaryHarness.Dispose();
        _softprobHarness.Dispose();
    }

    private static byte[] Csv(Datasets.Table table) =>
        Encoding.UTF8.GetBytes(string.Join('\n', table.Rows.Select(r => string.Join(',', r.Select(v => v.ToString(CultureInfo.InvariantCulture))))));

    private float[] Expected() => _binary.Score(_rows.Rows).Select(p => p.Score).ToArray();

    private static float[] CsvScores(byte[] body) =>
        Encoding.UTF8.GetString(body).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(s => float.Parse(s, CultureInfo.InvariantCulture)).ToArray();

    [Fact]
    public async Task Ping_answers_200()
    {
        Assert.Equal(HttpStatusCode.OK, (await _host.Http.GetAsync("/ping")).StatusCode);
    }

    [Fact]
    public async Task A_multi_record_csv_payload_gets_one_prediction_per_line_by_default()
    {
        var (status, contentType, body) = await _host.InvokeAsync("text/csv", Csv(_rows));

        Assert.Equal((HttpStatusCode.OK, "text/csv"), (status, contentType));
        Assert.EndsWith("\n", Encoding.UTF8.GetString(body), StringComparison.Ordinal);
        Assert.Equal(Expected(), CsvScores(body), (a, b) => Math.Abs(a - b) < 1e-6);
    }

    [Theory]
    [InlineData("text/libsvm")]
    [InlineData("text/x-libsvm")]
    public async Task Libsvm_payloads_score_like_the_same_rows_in_csv(string contentType)
    {
        var (status, _, body) = await _host.InvokeAsync(contentType, Encoding.UTF8.GetBytes(_rows.ToLibSvm()));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(Expected(), CsvScores(body), (a, b) => Math.Abs(a - b) < 1e-6);
    }

    [Fact]
    public async Task A_recordio_protobuf_payload_is_answered_in_recordio_protobuf_when_asked()
    {
        var payload = new MemoryStream();
        foreach (var row in _rows.Rows)
        {
            RecordIoProtobufReader.WriteFrame(payload, RecordProtobuf.Encode([("values", row)], []));
        }

        var (status, contentType, body) = await _host.InvokeAsync("application/x-recordio-protobuf", payload.ToArray(), "application/x-recordio-protobuf");

        Assert.Equal((HttpStatusCode.OK, "application/x-recordio-protobuf"), (status, contentType));
        using var reader = new MemoryStream(body);
        var scores = new List<float>();
        var header = new byte[8];
        while (reader.Read(header) == 8)
        {
            var length = BitConverter.ToInt32(header, 4);
            var record = new byte[(length + 3) & ~3];
            reader.ReadExactly(record);
            scores.Add(RecordProtobuf.Decode(record.AsSpan(0, length)).Label["score"].Values.Single());
        }

        Assert.Equal(Expected(), scores, (a, b) => Math.Abs(a - b) < 1e-6);
    }

    [Fact]
    public async Task Json_and_jsonlines_responses_hold_one_score_per_record()
    {
        var (_, jsonType, json) = await _host.InvokeAsync("text/csv", Csv(_rows), "application/json");
        var (_, linesType, lines) = await _host.InvokeAsync("text/csv", Csv(_rows), "application/jsonlines");

        Assert.Equal(("application/json", "application/jsonlines"), (jsonType, linesType));
        var predictions = JsonNode.Parse(json)!["predictions"]!.AsArray().Select(p => p!["score"]!.GetValue<float>());
        Assert.Equal(Expected(), predictions, (a, b) => Math.Abs(a - b) < 1e-6);
        var perLine = Encoding.UTF8.GetString(lines).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!["score"]!.GetValue<float>());
        Assert.Equal(Expected(), perLine, (a, b) => Math.Abs(a - b) < 1e-6);
    }

    [Fact]
    public async Task Accept_picks_the_first_supported_type_and_star_means_the_default()
    {
        Assert.Equal("application/json", (await _host.InvokeAsync("text/csv", Csv(_rows), "text/html, application/json;q=0.9")).ContentType);
        Assert.Equal("text/csv", (await _host.InvokeAsync("text/csv", Csv(_rows), "*/*")).ContentType);
    }

    [Fact]
    public async Task Unsupported_accept_is_406_unsupported_content_type_415_and_an_empty_body_204()
    {
        var notAcceptable = await _host.InvokeAsync("text/csv", Csv(_rows), "text/html");
        var unsupported = await _host.InvokeAsync("image/png", [1, 2, 3]);
        var empty = await _host.InvokeAsync("text/csv", []);

        Assert.Equal(HttpStatusCode.NotAcceptable, notAcceptable.Status);
        Assert.Contains("text/csv, application/json, application/jsonlines, application/x-recordio-protobuf", Encoding.UTF8.GetString(notAcceptable.Body), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, unsupported.Status);
        Assert.Equal(HttpStatusCode.NoContent, empty.Status);
    }

    [Theory]
    [InlineData("text/csv", "1,2,3\n", "payload line 1: 3 features, the model takes 8.")]
    [InlineData("text/csv", "1,2,3,4,5,6,7,abc\n", "payload line 1: column 8 ('abc') is not a number.")]
    [InlineData("text/libsvm", "0:1 9:2\n", "payload line 1: feature index 9 is beyond the model's 8 features.")]
    [InlineData("text/libsvm", "0:1 x\n", "payload line 1: 'x' is not <index>:<value>.")]
    [InlineData("application/x-recordio-protobuf", "garbage!", "payload record 1: not a RecordIO frame (magic 0xCED7230A expected).")]
    public async Task A_malformed_payload_is_a_400_saying_what_is_wrong(string contentType, string payload, string message)
    {
        var (status, _, body) = await _host.InvokeAsync(contentType, Encoding.UTF8.GetBytes(payload));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(message, Encoding.UTF8.GetString(body));
    }

    [Fact]
    public async Task Execution_parameters_offer_multi_record_batches_of_6_MB()
    {
        var parameters = JsonNode.Parse(await _host.Http.GetStringAsync("/execution-parameters"))!;

        Assert.Equal("MULTI_RECORD", parameters["BatchStrategy"]!.GetValue<string>());
        Assert.Equal(6, parameters["MaxPayloadInMB"]!.GetValue<int>());
        Assert.True(parameters["MaxConcurrentTransforms"]!.GetValue<int>() >= 1);
    }

    [Fact]
    public async Task Multi_softprob_csv_rows_are_the_class_probabilities()
    {
        await using var host = await ServingHost.StartAsync(_softprob, XgboostAlgorithm.AlgorithmName);
        var rows = Datasets.Multiclass(4, seed: 23, columns: 8);

        var (status, _, body) = await host.InvokeAsync("text/csv", Csv(rows));

        Assert.Equal(HttpStatusCode.OK, status);
        var lines = Encoding.UTF8.GetString(body).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, lines.Length);
        Assert.All(lines, line => Assert.Equal(1.0, line.Split(',').Sum(v => double.Parse(v, CultureInfo.InvariantCulture)), precision: 4));
        Assert.All(lines, line => Assert.Equal(3, line.Split(',').Length));
    }
}
