using System.Runtime.InteropServices;

namespace ControlPlane.Algorithms.XGBoost;

/// <summary>
/// The LightGBM C API (lib_lightgbm 4.6, shipped by Microsoft.ML.LightGbm's LightGBM package). ML.NET's LightGBM
/// trainers fix the objective per task and report no per-iteration evaluation; XGBoost's objectives (Poisson, hinge,
/// pseudo-Huber, soft labels), per-round metrics and early stopping need the booster itself.
/// </summary>
internal static unsafe partial class LightGbm
{
    private const string Library = "lib_lightgbm";
    public const int Float32 = 0;
    public const int Float64 = 1;
    public const int PredictRawScore = 1;

    /// <summary>
    /// LightGBM runs on libgomp, whose threads spin between parallel regions by default: on a host whose cores are
    /// shared (other jobs, other containers) the spinning threads starve the working ones and a run takes many times
    /// longer. Passive waiting is set before lib_lightgbm (and libgomp with it) is loaded, unless the user chose.
    /// </summary>
    static LightGbm()
    {
        if (Environment.GetEnvironmentVariable("OMP_WAIT_POLICY") is null)
        {
            _ = setenv("OMP_WAIT_POLICY", "PASSIVE", 0);
        }
    }

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int setenv(string name, string value, int overwrite);

    [LibraryImport(Library)]
    private static partial nint LGBM_GetLastError();

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int LGBM_DatasetCreateFromMat(void* data, int dataType, int nrow, int ncol, int isRowMajor, string parameters, nint reference, out nint dataset);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int LGBM_DatasetSetField(nint dataset, string fieldName, void* data, int count, int type);

    [LibraryImport(Library)]
    private static partial int LGBM_DatasetFree(nint dataset);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int LGBM_BoosterCreate(nint train, string parameters, out nint booster);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int LGBM_BoosterCreateFromModelfile(string file, out int iterations, out nint booster);

    [LibraryImport(Library)]
    private static partial int LGBM_BoosterAddValidData(nint booster, nint dataset);

    [LibraryImport(Library)]
    private static partial int LGBM_BoosterUpdateOneIter(nint booster, out int finished);

    [LibraryImport(Library)]
    private static partial int LGBM_BoosterUpdateOneIterCustom(nint booster, float* gradients, float* hessians, out int finished);

    [LibraryImport(Library)]
    private static partial int LGBM_BoosterGetPredict(nint booster, int dataIndex, out long length, double* result);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int LGBM_BoosterSaveModel(nint booster, int startIteration, int iterations, int importanceType, string file);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int LGBM_BoosterPredictForMat(nint booster, void* data, int dataType, int nrow, int ncol, int isRowMajor, int predictType, int startIteration, int iterations, string parameters, out long length, double* result);

    [LibraryImport(Library)]
    private static partial int LGBM_BoosterFree(nint booster);

    private static void Check(int status)
    {
        if (status != 0)
        {
            throw new InvalidOperationException($"LightGBM: {Marshal.PtrToStringUTF8(LGBM_GetLastError())}");
        }
    }

    /// <summary>A LightGBM dataset (binned features, labels, weights, initial scores).</summary>
    public sealed class Dataset : IDisposable
    {
        private Dataset(nint handle) => Handle = handle;

        public nint Handle { get; private set; }

        /// <summary>
        /// Bins a row-major float matrix; <paramref name="reference"/> lends a training set's bins to a validation set.
        /// (LGBM_DatasetCreateFromMats, which would take the chunks as they are, crashes in lib_lightgbm 4.6.)
        /// </summary>
        public static Dataset FromMatrix(float[] rows, int rowCount, int columns, string parameters, Dataset? reference)
        {
            fixed (float* data = rows)
            {
                Check(LGBM_DatasetCreateFromMat(data, Float32, rowCount, columns, 1, parameters, reference?.Handle ?? 0, out var handle));
                return new Dataset(handle);
            }
        }

        public void SetFloats(string field, float[] values)
        {
            fixed (float* data = values)
            {
                Check(LGBM_DatasetSetField(Handle, field, data, values.Length, Float32));
            }
        }

        public void SetDoubles(string field, double[] values)
        {
            fixed (double* data = values)
            {
                Check(LGBM_DatasetSetField(Handle, field, data, values.Length, Float64));
            }
        }

        public void Dispose()
        {
            if (Handle != 0)
            {
                LGBM_DatasetFree(Handle);
                Handle = 0;
            }
        }
    }

    /// <summary>A booster: trained one iteration at a time, or loaded from a model file for prediction.</summary>
    public sealed class Booster : IDisposable
    {
        private Booster(nint handle) => Handle = handle;

        public nint Handle { get; private set; }

        public static Booster Create(Dataset train, string parameters)
        {
            Check(LGBM_BoosterCreate(train.Handle, parameters, out var handle));
            return new Booster(handle);
        }

        public static Booster Load(string file)
        {
            Check(LGBM_BoosterCreateFromModelfile(file, out _, out var handle));
            return new Booster(handle);
        }

        public void AddValidation(Dataset dataset) => Check(LGBM_BoosterAddValidData(Handle, dataset.Handle));

        /// <summary>One boosting round with the booster's own objective.</summary>
        public void Update() => Check(LGBM_BoosterUpdateOneIter(Handle, out _));

        /// <summary>One boosting round with gradients and hessians the caller computed (class-major for multiclass).</summary>
        public void Update(float[] gradients, float[] hessians)
        {
            fixed (float* g = gradients, h = hessians)
            {
                Check(LGBM_BoosterUpdateOneIterCustom(Handle, g, h, out _));
            }
        }

        /// <summary>
        /// The current predictions for the training set (0) or the n-th validation set (n): transformed by the booster's
        /// objective (raw with a custom one), class-major for multiclass.
        /// </summary>
        public void GetPredictions(int dataIndex, double[] into)
        {
            fixed (double* result = into)
            {
                Check(LGBM_BoosterGetPredict(Handle, dataIndex, out _, result));
            }
        }

        public void Save(string file, int iterations) => Check(LGBM_BoosterSaveModel(Handle, 0, iterations, 0, file));

        /// <summary>Raw scores of row-major rows: <paramref name="into"/> holds rows × outputs values, row by row.</summary>
        public void PredictRaw(float[] rows, int rowCount, int columns, double[] into)
        {
            fixed (float* data = rows)
            fixed (double* result = into)
            {
                Check(LGBM_BoosterPredictForMat(Handle, data, Float32, rowCount, columns, 1, PredictRawScore, 0, -1, string.Empty, out _, result));
            }
        }

        public void Dispose()
        {
            if (Handle != 0)
            {
                LGBM_BoosterFree(Handle);
                Handle = 0;
            }
        }
    }
}
