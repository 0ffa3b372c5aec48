using Microsoft.ML;
using Microsoft.ML.Data;

namespace ControlPlane.Algorithms.XGBoost;

/// <summary>
/// A channel read once into row-major float chunks (what LightGBM bins), its labels and weights. Sparse rows are
/// expanded with zeros. The rows are freed as soon as LightGBM has binned them.
/// </summary>
internal sealed class LoadedMatrix
{
    private const int FullChunkRows = 65536;

    private LoadedMatrix(List<float[]> chunks, List<int> chunkRows, float[] labels, float[]? weights, int columns)
    {
        Chunks = chunks;
        RowsPerChunk = chunkRows;
        Labels = labels;
        Weights = weights;
        Columns = columns;
    }

    public List<float[]> Chunks { get; }

    public List<int> RowsPerChunk { get; }

    public float[] Labels { get; }

    public float[]? Weights { get; }

    public int Columns { get; }

    public int Rows => Labels.Length;

    public static LoadedMatrix Read(IDataView data, int columns, bool hasWeights, string channel, CancellationToken cancellation)
    {
        var schema = data.Schema;
        var featuresColumn = schema[TrainingData.FeaturesColumn];
        var labelColumn = schema[TrainingData.LabelColumn];
        var weightColumn = hasWeights ? schema.GetColumnOrNull(TrainingData.WeightColumn) : null;
        using var cursor = data.GetRowCursor(weightColumn is { } w ? [featuresColumn, labelColumn, w] : [featuresColumn, labelColumn]);
        var getFeatures = cursor.GetGetter<VBuffer<float>>(featuresColumn);
        var getLabel = cursor.GetGetter<float>(labelColumn);
        var getWeight = weightColumn is { } wc ? cursor.GetGetter<float>(wc) : null;

        var chunks = new List<float[]>();
        var chunkRows = new List<int>();
        var labels = new List<float>();
        var weights = getWeight is null ? null : new List<float>();
        var features = default(VBuffer<float>);
        float[]? chunk = null;
        var inChunk = 0;
        while (cursor.MoveNext())
        {
            if (chunk is null || inChunk == FullChunkRows)
            {
                if (chunk is not null)
                {
                    chunks.Add(chunk);
                    chunkRows.Add(inChunk);
                    cancellation.ThrowIfCancellationRequested();
                }

                chunk = new float[FullChunkRows * columns];
                inChunk = 0;
            }

            getFeatures(ref features);
            features.CopyTo(chunk.AsSpan(inChunk * columns, columns));
            float label = 0;
            getLabel(ref label);
            labels.Add(label);
            if (getWeight is not null)
            {
                float weight = 0;
                getWeight(ref weight);
                if (!(weight >= 0) || !float.IsFinite(weight))
                {
                    throw new AlgorithmException($"Channel '{channel}' row {labels.Count}: weight {weight} is not a non-negative number.");
                }

                weights!.Add(weight);
            }

            inChunk++;
        }

        if (chunk is not null && inChunk > 0)
        {
            chunks.Add(chunk);
            chunkRows.Add(inChunk);
        }

        if (labels.Count == 0)
        {
            throw new AlgorithmException($"Channel '{channel}' has no records.");
        }

        return new LoadedMatrix(chunks, chunkRows, [.. labels], weights?.ToArray(), columns);
    }

    /// <summary>The rows as one row-major matrix; the chunks are released as they are copied.</summary>
    public float[] TakeRows()
    {
        var rows = GC.AllocateUninitializedArray<float>(checked(Rows * Columns));
        var offset = 0;
        for (var i = 0; i < Chunks.Count; i++)
        {
            var length = RowsPerChunk[i] * Columns;
            Chunks[i].AsSpan(0, length).CopyTo(rows.AsSpan(offset));
            offset += length;
            Chunks[i] = [];
        }

        Chunks.Clear();
        RowsPerChunk.Clear();
        return rows;
    }
}
