namespace ControlPlane.Algorithms.Data;

/// <summary>
/// Builds <see cref="TrainingData"/> from the channels' sources. The feature count comes from the first record (CSV,
/// dense or shaped sparse protobuf) or, for libsvm, from a scan of the train channel (its largest index plus one), as
/// XGBoost infers it; the Weight column exists when the train data carries weights.
/// </summary>
internal static class ChannelLoader
{
    public static TrainingData Load(ChannelSource train, ChannelSource? validation, ChannelSource? test)
    {
        var (featureCount, hasWeights) = Inspect(train);
        ChannelDataView View(ChannelSource source) => new(source, featureCount, hasWeights);
        return new TrainingData(View(train), validation is null ? null : View(validation), test is null ? null : View(test), featureCount, hasWeights);
    }

    private static (int FeatureCount, bool HasWeights) Inspect(ChannelSource source)
    {
        var scanAll = source.Format == DataFormat.LibSvm;
        var featureCount = 0;
        var hasWeights = source.Layout.CsvWeights;
        var any = false;
        using (var records = source.Records().GetEnumerator())
        {
            while (records.MoveNext())
            {
                var record = records.Current;
                any = true;
                featureCount = Math.Max(featureCount, record.Dimension);
                hasWeights |= record.HasWeight;
                if (!scanAll)
                {
                    break;
                }
            }

            // A FIFO left half-read would fail its writer: read it to the end.
            while (source.IsPipe && records.MoveNext())
            {
            }
        }

        if (!any)
        {
            throw new AlgorithmException($"Channel '{source.Channel}' has no records.");
        }

        return featureCount > 0 ? (featureCount, hasWeights) : throw new AlgorithmException($"Channel '{source.Channel}' has no features.");
    }
}
