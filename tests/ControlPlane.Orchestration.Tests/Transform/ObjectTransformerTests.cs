using System.Globalization;
using System.IO.Compression;
using System.Text;
using ControlPlane.Core.Transform;
using ControlPlane.Orchestration.Transform;

namespace ControlPlane.Orchestration.Tests.Transform;

public sealed class ObjectTransformerTests
{
    private static readonly string Csv = string.Join('\n', Enumerable.Range(1, 500).Select(i => $"{i},{i * 0.5:0.0},{i % 7}")) + "\n";

    [Fact]
    public async Task MultiRecord_and_SingleRecord_give_identical_outputs_in_input_order()
    {
        var multi = new SummingModel();
        var single = new SummingModel();

        var multiOutput = await TransformAsync(Plan(BatchStrategy.MultiRecord, maxPayloadBytes: 1024, concurrency: 4), Csv, multi);
        var singleOutput = await TransformAsync(Plan(BatchStrategy.SingleRecord, concurrency: 4), Csv, single);

        Assert.Equal(ExpectedSums(), multiOutput);
        Assert.Equal(multiOutput, singleOutput);
        Assert.Equal(500, single.Requests.Count);
        Assert.InRange(multi.Requests.Count, 5, 499);
        Assert.All(multi.Requests, payload => Assert.True(payload.Length <= 1024));
    }

    [Fact]
    public async Task No_more_than_MaxConcurrentTransforms_requests_are_in_flight()
    {
        var model = new SummingModel();

        await TransformAsync(Plan(BatchStrategy.SingleRecord, concurrency: 3), Csv, model);

        Assert.Equal(3, model.MaxInFlight);
    }

    [Fact]
    public async Task Gzip_objects_are_decompressed_first()
    {
        using var compressed = new MemoryStream();
        await using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            await gzip.WriteAsync(Encoding.UTF8.GetBytes(Csv));
        }

        var output = await TransformBytesAsync(Plan(BatchStrategy.MultiRecord) with { Gzip = true }, compressed.ToArray(), new SummingModel());

        Assert.Equal(ExpectedSums(), output);
    }

    [Fact]
    public async Task A_record_above_MaxPayloadInMB_fails_the_object_naming_it()
    {
        var line = new string('1', 2048);

        var error = await Assert.ThrowsAsync<TransformFailedException>(() =>
            TransformAsync(Plan(BatchStrategy.MultiRecord, maxPayloadBytes: 1024), $"1,2\n{line}\n", new SummingModel()));

        Assert.StartsWith("Failed to transform s3://bucket/in/data.csv: A record of at least", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_model_error_fails_the_object_with_the_models_answer()
    {
        var error = await Assert.ThrowsAsync<TransformFailedException>(() =>
            TransformAsync(Plan(BatchStrategy.SingleRecord, concurrency: 2), Csv, new SummingModel(failOn: "250,")));

        Assert.Contains("rejected record 250", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Csv_join_sends_the_filtered_input_and_writes_the_selected_columns_of_input_and_output()
    {
        // SageMaker's documented example: drop the id column on the way in, keep id and prediction on the way out.
        var plan = Plan(BatchStrategy.MultiRecord, concurrency: 2) with
        {
            DataProcessing = new DataProcessing(Path("$[1:]"), Path("$[0,-1]"), JoinSource.Input),
        };
        var model = new SummingModel();

        var output = await TransformAsync(plan, "a,1,2\nb,3,4\nc,5,6\n", model);

        Assert.Equal("a,3\nb,7\nc,11\n", output);
        Assert.Equal("1,2\n3,4\n5,6\n", Encoding.UTF8.GetString(model.Requests.Single()));
    }

    [Fact]
    public async Task Json_join_adds_SageMakerOutput_to_each_input_object()
    {
        var plan = Plan(BatchStrategy.MultiRecord) with
        {
            ContentType = "application/jsonlines",
            Accept = "application/jsonlines",
            DataProcessing = new DataProcessing(Path("$.features"), Path("$['id','SageMakerOutput']"), JoinSource.Input),
        };

        var output = await TransformAsync(plan, "{\"id\":1,\"features\":[1,2]}\n{\"id\":2,\"features\":[3,4]}\n", new SummingModel());

        Assert.Equal("{\"id\":1,\"SageMakerOutput\":{\"score\":3}}\n{\"id\":2,\"SageMakerOutput\":{\"score\":7}}\n", output);
    }

    [Fact]
    public async Task A_json_record_that_is_not_an_object_joins_as_SageMakerInput()
    {
        var plan = Plan(BatchStrategy.SingleRecord) with
        {
            ContentType = "application/jsonlines",
            Accept = "application/jsonlines",
            DataProcessing = new DataProcessing(Path("$"), Path("$"), JoinSource.Input),
        };

        var output = await TransformAsync(plan, "[1,2]\n", new SummingModel());

        Assert.Equal("{\"SageMakerInput\":[1,2],\"SageMakerOutput\":{\"score\":3}}\n", output);
    }

    [Fact]
    public async Task An_answer_with_the_wrong_number_of_lines_cannot_be_joined()
    {
        var plan = Plan(BatchStrategy.MultiRecord) with { DataProcessing = new DataProcessing(Path("$"), Path("$"), JoinSource.Input) };

        var error = await Assert.ThrowsAsync<TransformFailedException>(() => TransformAsync(plan, "1,2\n3,4\n", new SummingModel(oneLineAnswers: true)));

        Assert.Contains("answered 1 lines for a request of 2 records", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AssembleWith_None_concatenates_the_answers_as_they_are()
    {
        var output = await TransformAsync(Plan(BatchStrategy.SingleRecord) with { AssembleWith = AssembleWith.None }, "1\n2\n", new SummingModel(oneLineAnswers: true, trailingNewline: false));

        Assert.Equal("12", output);
    }

    private static string ExpectedSums() =>
        string.Concat(Enumerable.Range(1, 500).Select(i => (i + i * 0.5 + i % 7).ToString(CultureInfo.InvariantCulture) + "\n"));

    private static JsonPathSubset Path(string path) => JsonPathSubset.Parse(path).Value!;

    private static TransformPlan Plan(BatchStrategy strategy, long maxPayloadBytes = 6 << 20, int concurrency = 1) =>
        new(SplitType.Line, Gzip: false, strategy, maxPayloadBytes, concurrency, "text/csv", "text/csv", AssembleWith.Line,
            new DataProcessing(Path("$"), Path("$"), JoinSource.None));

    private static Task<string> TransformAsync(TransformPlan plan, string input, IModelInvoker model) =>
        TransformBytesAsync(plan, Encoding.UTF8.GetBytes(input), model);

    private static async Task<string> TransformBytesAsync(TransformPlan plan, byte[] input, IModelInvoker model)
    {
        using var output = new MemoryStream();
        await new ObjectTransformer(plan).TransformAsync(new MemoryStream(input), output, model, "s3://bucket/in/data.csv", CancellationToken.None);
        return Encoding.UTF8.GetString(output.ToArray());
    }
}
