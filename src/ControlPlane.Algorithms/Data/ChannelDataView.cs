using Microsoft.ML;
using Microsoft.ML.Data;

namespace ControlPlane.Algorithms.Data;

/// <summary>
/// One channel as a streaming ML.NET <see cref="IDataView"/>: each cursor is a new pass over the channel's files (or the
/// next Pipe-mode FIFO), parsing records as it moves, so nothing is held beyond the current record. Columns:
/// <see cref="TrainingData.LabelColumn"/>, <see cref="TrainingData.FeaturesColumn"/> (Single vector of the channel's
/// feature count) and, when the data has weights, <see cref="TrainingData.WeightColumn"/>.
/// </summary>
internal sealed class ChannelDataView : IDataView
{
    private readonly ChannelSource _source;

    public ChannelDataView(ChannelSource source, int featureCount, bool hasWeights)
    {
        _source = source;
        FeatureCount = featureCount;
        var builder = new DataViewSchema.Builder();
        builder.AddColumn(TrainingData.LabelColumn, NumberDataViewType.Single);
        builder.AddColumn(TrainingData.FeaturesColumn, new VectorDataViewType(NumberDataViewType.Single, featureCount));
        if (hasWeights)
        {
            builder.AddColumn(TrainingData.WeightColumn, NumberDataViewType.Single);
        }

        Schema = builder.ToSchema();
    }

    public int FeatureCount { get; }

    public bool CanShuffle => false;

    public DataViewSchema Schema { get; }

    public long? GetRowCount() => null;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) =>
        new Cursor(this, _source.Records().GetEnumerator(), _source.IsPipe);

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];

    private sealed class Cursor(ChannelDataView view, IEnumerator<FeatureRecord> records, bool drainOnDispose) : DataViewRowCursor
    {
        private bool _done;
        private long _position = -1;

        public override long Position => _position;

        public override long Batch => 0;

        public override DataViewSchema Schema => view.Schema;

        public override bool IsColumnActive(DataViewSchema.Column column) => true;

        public override bool MoveNext()
        {
            if (_done || !records.MoveNext())
            {
                _done = true;
                return false;
            }

            var record = records.Current;
            if (record.Dimension > view.FeatureCount)
            {
                throw new AlgorithmException(record.IsDense
                    ? $"{record.Position}: the row has {record.Count} features, the channel {view.FeatureCount}."
                    : $"{record.Position}: feature index {record.Indices[record.Count - 1]} is beyond the {view.FeatureCount} features of the data.");
            }

            if (record.IsDense && record.Count != view.FeatureCount)
            {
                throw new AlgorithmException($"{record.Position}: the row has {record.Count} features, the channel {view.FeatureCount}.");
            }

            _position++;
            return true;
        }

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            Delegate getter = column.Name switch
            {
                TrainingData.LabelColumn => (ValueGetter<float>)((ref float value) => value = records.Current.Label),
                TrainingData.WeightColumn => (ValueGetter<float>)((ref float value) => value = records.Current.Weight),
                TrainingData.FeaturesColumn => (ValueGetter<VBuffer<float>>)GetFeatures,
                _ => throw new ArgumentOutOfRangeException(nameof(column), column.Name, "no such column"),
            };
            return (ValueGetter<TValue>)getter;
        }

        private void GetFeatures(ref VBuffer<float> value)
        {
            var record = records.Current;
            var editor = VBufferEditor.Create(ref value, view.FeatureCount, record.IsDense ? view.FeatureCount : record.Count);
            record.Values.AsSpan(0, record.Count).CopyTo(editor.Values);
            if (!record.IsDense)
            {
                record.Indices.AsSpan(0, record.Count).CopyTo(editor.Indices);
            }

            value = editor.Commit();
        }

        public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId id) => id = new DataViewRowId((ulong)Position, 0);

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                // A FIFO left half-read would fail its writer: read it to the end.
                while (drainOnDispose && !_done && records.MoveNext())
                {
                }

                records.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
