using System.Diagnostics;
using ControlPlane.Algorithms.Data;
using ControlPlane.Algorithms.Tests.Infrastructure;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace ControlPlane.Algorithms.Tests.Data;

public sealed class ChannelTests
{
    private static List<(float Label, float[] Features)> Rows(IDataView view)
    {
        var rows = new List<(float, float[])>();
        using var cursor = view.GetRowCursor(view.Schema);
        var label = cursor.GetGetter<float>(view.Schema[TrainingData.LabelColumn]);
        var features = cursor.GetGetter<VBuffer<float>>(view.Schema[TrainingData.FeaturesColumn]);
        while (cursor.MoveNext())
        {
            float y = 0;
            VBuffer<float> x = default;
            label(ref y);
            features(ref x);
            rows.Add((y, x.DenseValues().ToArray()));
        }

        return rows;
    }

    [Fact]
    public void A_channel_reads_every_file_under_it_recursively_in_ordinal_order()
    {
        using var directory = new TempDirectory();
        directory.File("train/b.csv", "2,20\n");
        directory.File("train/a/z.csv", "1,10\n");
        directory.File("train/C.csv", "0,0\n");
        directory.File("train/.hidden", "garbage\n");

        var data = ChannelLoader.Load(new FileChannelSource("train", Path.Combine(directory.Path, "train"), DataFormat.Csv, RecordLayout.Training), null, null);

        Assert.Equal([0f, 1f, 2f], Rows(data.Train).Select(r => r.Label));
        Assert.Equal(1, data.FeatureCount);
    }

    [Fact]
    public void Every_cursor_is_a_new_pass_over_the_data()
    {
        using var directory = new TempDirectory();
        directory.File("train/a.csv", "1,10\n0,5\n");
        var data = ChannelLoader.Load(new FileChannelSource("train", Path.Combine(directory.Path, "train"), DataFormat.Csv, RecordLayout.Training), null, null);

        Assert.Equal(Rows(data.Train).Select(r => r.Label), Rows(data.Train).Select(r => r.Label));
    }

    [Fact]
    public void LibSvm_feature_count_is_the_largest_index_plus_one_and_weights_make_a_weight_column()
    {
        using var directory = new TempDirectory();
        directory.File("train/a.libsvm", "1 0:1\n0:2 7:1\n");

        var data = ChannelLoader.Load(new FileChannelSource("train", Path.Combine(directory.Path, "train"), DataFormat.LibSvm, RecordLayout.Training), null, null);

        Assert.Equal(8, data.FeatureCount);
        Assert.True(data.HasWeights);
        Assert.NotNull(data.Train.Schema.GetColumnOrNull(TrainingData.WeightColumn));
        Assert.Equal([0, 0, 0, 0, 0, 0, 0, 1f], Rows(data.Train)[1].Features);
    }

    [Fact]
    public void A_validation_row_wider_than_the_train_data_is_reported_with_its_line()
    {
        using var directory = new TempDirectory();
        directory.File("train/a.csv", "1,10\n");
        directory.File("validation/v.csv", "1,10\n1,10,11\n");
        var data = ChannelLoader.Load(
            new FileChannelSource("train", Path.Combine(directory.Path, "train"), DataFormat.Csv, RecordLayout.Training),
            new FileChannelSource("validation", Path.Combine(directory.Path, "validation"), DataFormat.Csv, RecordLayout.Training),
            null);

        var error = Assert.Throws<AlgorithmException>(() => Rows(data.Validation!));

        Assert.Contains("validation/v.csv line 2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_channel_directory_is_refused()
    {
        using var directory = new TempDirectory();
        Directory.CreateDirectory(Path.Combine(directory.Path, "train"));

        var error = Assert.Throws<AlgorithmException>(() => new FileChannelSource("train", Path.Combine(directory.Path, "train"), DataFormat.Csv, RecordLayout.Training));

        Assert.Equal("Channel 'train' has no data files.", error.Message);
    }

    [Fact]
    public async Task Pipe_mode_reads_one_fifo_per_pass()
    {
        using var directory = new TempDirectory();
        var stem = Path.Combine(directory.Path, "train");
        for (var epoch = 0; epoch < 3; epoch++)
        {
            using var mkfifo = Process.Start("mkfifo", $"{stem}_{epoch}");
            await mkfifo.WaitForExitAsync();
        }

        // The platform's side: one writer per epoch, each writing the whole channel into its FIFO.
        var writers = Enumerable.Range(0, 3).Select(epoch => Task.Run(() => File.WriteAllText($"{stem}_{epoch}", $"{epoch},1\n{epoch},2\n"))).ToArray();
        var data = ChannelLoader.Load(new PipeChannelSource("train", stem, DataFormat.Csv, RecordLayout.Training), null, null);

        var first = Rows(data.Train);
        var second = Rows(data.Train);
        await Task.WhenAll(writers).WaitAsync(TimeSpan.FromSeconds(10));

        // Epoch 0 went to finding the feature count; each cursor then read the next FIFO to its end.
        Assert.Equal([1f, 1f], first.Select(r => r.Label));
        Assert.Equal([2f, 2f], second.Select(r => r.Label));
        Assert.Equal([2f], first[1].Features);
    }
}
