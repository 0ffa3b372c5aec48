namespace ControlPlane.Algorithms.Data;

/// <summary>
/// One record as a reader fills it, reused from record to record: the label, the instance weight and the features,
/// either dense (<see cref="Count"/> values from index 0) or sparse (<see cref="Count"/> index/value pairs in
/// ascending index order).
/// </summary>
internal sealed class FeatureRecord
{
    public float Label { get; set; }

    public float Weight { get; set; } = 1;

    public bool HasLabel { get; set; }

    /// <summary>The record gave its weight explicitly (libsvm <c>label:weight</c>, CSV with <c>csv_weights</c>).</summary>
    public bool HasWeight { get; set; }

    /// <summary>The dimension a sparse record declares (a Record protobuf tensor's shape), if any.</summary>
    public int? DeclaredDimension { get; set; }

    public bool IsDense { get; set; } = true;

    public int Count { get; private set; }

    public float[] Values { get; private set; } = new float[16];

    public int[] Indices { get; private set; } = new int[16];

    /// <summary>Where the record came from (<c>file line 12</c>), for error messages.</summary>
    public string Position { get; set; } = string.Empty;

    /// <summary>The number of feature slots the record needs: its dense length, or its largest index plus one.</summary>
    public int Dimension => IsDense ? Count : DeclaredDimension ?? (Count == 0 ? 0 : Indices[Count - 1] + 1);

    public void Clear(bool dense)
    {
        Count = 0;
        IsDense = dense;
        Label = 0;
        Weight = 1;
        HasLabel = false;
        HasWeight = false;
        DeclaredDimension = null;
    }

    public void Add(float value)
    {
        Grow();
        Values[Count++] = value;
    }

    public void Add(int index, float value)
    {
        Grow();
        Indices[Count] = index;
        Values[Count++] = value;
    }

    /// <summary>Writes the features into <paramref name="row"/> (cleared first); entries a sparse record omits are 0.</summary>
    public void CopyTo(Span<float> row)
    {
        if (IsDense)
        {
            Values.AsSpan(0, Count).CopyTo(row);
            row[Count..].Clear();
            return;
        }

        row.Clear();
        for (var i = 0; i < Count; i++)
        {
            row[Indices[i]] = Values[i];
        }
    }

    private void Grow()
    {
        if (Count < Values.Length)
        {
            return;
        }

        var values = Values;
        var indices = Indices;
        Array.Resize(ref values, Values.Length * 2);
        Array.Resize(ref indices, Indices.Length * 2);
        Values = values;
        Indices = indices;
    }
}
