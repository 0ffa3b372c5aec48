using System.Net;
using System.Text;
using ControlPlane.Algorithms.Data;

namespace ControlPlane.Algorithms.Tests.Serving;

/// <summary>
/// Linear Learner's response shapes (contract 7.2) through the serving host, with a model that scores rows by their
/// first feature: the formats do not depend on how the algorithm trained.
/// </summary>
public sealed class LinearLearnerFormatTests
{
    private sealed class FirstFeatureModel(Func<float, Prediction> predict) : IScoringModel
    {
        public int FeatureCount => 2;

        public IReadOnlyList<Prediction> Score(IReadOnlyList<float[]> rows) => rows.Select(row => predict(row[0])).ToList();
    }

    private static readonly FirstFeatureModel Binary = new(x => new Prediction(x, x > 0.5f ? 1 : 0, null));
    private static readonly FirstFeatureModel Multiclass = new(x => new Prediction(0.7f, 2, [0.1f, 0.2f, 0.7f]));
    private static readonly FirstFeatureModel Regressor = new(x => new Prediction(x * 10, null, null));

    private static async Task<(HttpStatusCode Status, string? ContentType, string Body)> InvokeAsync(IScoringModel model, string contentType, string payload, string? accept = null)
    {
        await using var host = await ServingHost.StartAsync(model, AlgorithmCatalog.LinearLearner);
        var (status, type, body) = await host.InvokeAsync(contentType, Encoding.UTF8.GetBytes(payload), accept);
        return (status, type, Encoding.UTF8.GetString(body));
    }

    [Fact]
    public async Task Binary_predictions_are_json_with_score_and_predicted_label_by_default()
    {
        var (status, type, body) = await InvokeAsync(Binary, "text/csv", "0.25,1\n0.75,1\n");

        Assert.Equal((HttpStatusCode.OK, "application/json"), (status, type));
        Assert.Equal("""{"predictions":[{"score":0.25,"predicted_label":0},{"score":0.75,"predicted_label":1}]}""", body);
    }

    [Fact]
    public async Task Multiclass_scores_are_the_class_list()
    {
        var (_, _, body) = await InvokeAsync(Multiclass, "text/csv", "0,0\n");

        Assert.Equal("""{"predictions":[{"score":[0.1,0.2,0.7],"predicted_label":2}]}""", body);
    }

    [Fact]
    public async Task Regressor_predictions_have_only_a_score()
    {
        var (_, _, body) = await InvokeAsync(Regressor, "application/json", """{"instances":[{"features":[1.5,0]},{"data":{"features":{"keys":[1],"values":[3],"shape":[2]}}}]}""");

        Assert.Equal("""{"predictions":[{"score":15},{"score":0}]}""", body);
    }

    [Fact]
    public async Task Jsonlines_in_and_out_give_one_object_per_line()
    {
        var (status, type, body) = await InvokeAsync(Binary, "application/jsonlines", "{\"features\":[0.9,0]}\n\n{\"features\":[0.1,0]}\n", "application/jsonlines");

        Assert.Equal((HttpStatusCode.OK, "application/jsonlines"), (status, type));
        Assert.Equal("{\"score\":0.9,\"predicted_label\":1}\n{\"score\":0.1,\"predicted_label\":0}\n", body);
    }

    [Fact]
    public async Task Csv_responses_are_label_then_scores()
    {
        Assert.Equal("1,0.75\n", (await InvokeAsync(Binary, "text/csv", "0.75,1", "text/csv")).Body);
        Assert.Equal("2,0.1,0.2,0.7\n", (await InvokeAsync(Multiclass, "text/csv", "0,0", "text/csv")).Body);
        Assert.Equal("7.5\n", (await InvokeAsync(Regressor, "text/csv", "0.75,1", "text/csv")).Body);
    }

    [Fact]
    public async Task Recordio_protobuf_responses_carry_score_and_predicted_label()
    {
        await using var host = await ServingHost.StartAsync(Binary, AlgorithmCatalog.LinearLearner);
        var payload = new MemoryStream();
        RecordIoProtobufReader.WriteFrame(payload, RecordProtobuf.Encode([("values", [0.75f, 1f])], []));

        var (status, type, body) = await host.InvokeAsync("application/x-recordio-protobuf", payload.ToArray(), "application/x-recordio-protobuf");

        Assert.Equal((HttpStatusCode.OK, "application/x-recordio-protobuf"), (status, type));
        var length = BitConverter.ToInt32(body, 4);
        var label = RecordProtobuf.Decode(body.AsSpan(8, length)).Label;
        Assert.Equal((0.75f, 1f), (label["score"].Values.Single(), label["predicted_label"].Values.Single()));
    }

    [Theory]
    [InlineData("application/json", "{\"instances\":[{\"features\":[1,\"a\"]}]}", "payload instance 0: '\"a\"' is not a number.")]
    [InlineData("application/json", "{\"rows\":[]}", "payload: a JSON request is {\"instances\": [{\"features\": [...]}, ...]}.")]
    [InlineData("application/json", "{not json", "payload: not valid JSON")]
    [InlineData("application/jsonlines", "{\"features\":[1,2]}\n{\"other\":1}\n", "payload line 2: an instance is")]
    [InlineData("application/json", "{\"instances\":[{\"data\":{\"features\":{\"keys\":[5],\"values\":[1],\"shape\":[2]}}}]}", "payload instance 0: sparse key 5 is out of order or outside the shape [2].")]
    public async Task Malformed_json_payloads_are_a_400_saying_what_is_wrong(string contentType, string payload, string message)
    {
        var (status, _, body) = await InvokeAsync(Binary, contentType, payload);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.StartsWith(message, body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Libsvm_is_not_a_linear_learner_content_type()
    {
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await InvokeAsync(Binary, "text/libsvm", "0:1\n")).Status);
    }
}
