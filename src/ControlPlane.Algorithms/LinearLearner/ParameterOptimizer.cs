using System.Numerics.Tensors;

namespace ControlPlane.Algorithms.LinearLearner;

/// <summary>
/// One optimizer's state for one parameter vector: sgd with (heavy-ball) momentum, adam with bias correction, or
/// rmsprop (decay 0.9; Linear Learner exposes no knob for it). The learning rate comes in per step, so a schedule
/// and the bias's multiplier live with the caller. l1 is applied as a proximal soft-threshold after the step, scaled
/// per coordinate like the step itself (lr · l1 for sgd, lr · l1 / (√v + ε) for adam and rmsprop), so that it
/// zeroes weights whose gradient is only noise whatever the optimizer.
/// </summary>
internal sealed class ParameterOptimizer
{
    private const float Epsilon = 1e-8f;
    private const float RmsPropDecay = 0.9f;

    private readonly OptimizerKind _kind;
    private readonly float _momentum;
    private readonly float _beta1;
    private readonly float _beta2;
    private readonly float[] _first;
    private readonly float[] _second;
    private readonly float[] _scratch;
    private readonly float[] _denominator;
    private int _steps;

    public ParameterOptimizer(LinearLearnerSettings settings, int length)
    {
        _kind = settings.Optimizer;
        _momentum = (float)settings.Momentum;
        _beta1 = (float)settings.Beta1;
        _beta2 = (float)settings.Beta2;
        _first = new float[length];
        _second = _kind == OptimizerKind.Sgd ? [] : new float[length];
        _scratch = _kind == OptimizerKind.Sgd ? [] : new float[length];
        _denominator = _kind == OptimizerKind.Sgd ? [] : new float[length];
    }

    public void Step(Span<float> parameters, ReadOnlySpan<float> gradient, double learningRate, double l1 = 0)
    {
        _steps++;
        switch (_kind)
        {
            case OptimizerKind.Sgd:
                // v = μ v - lr g; p += v
                TensorPrimitives.Multiply(_first, _momentum, _first);
                TensorPrimitives.MultiplyAdd(gradient, (float)-learningRate, _first, _first);
                TensorPrimitives.Add(parameters, _first, parameters);
                if (l1 > 0) SoftThreshold(parameters, learningRate * l1, perCoordinate: false);
                break;
            case OptimizerKind.Adam:
                // m = β1 m + (1-β1) g; v = β2 v + (1-β2) g²; p -= lr · √(1-β2^t)/(1-β1^t) · m / (√v + ε)
                TensorPrimitives.Multiply(_first, _beta1, _first);
                TensorPrimitives.MultiplyAdd(gradient, 1 - _beta1, _first, _first);
                UpdateSecondMoment(gradient, _beta2);
                var corrected = learningRate * Math.Sqrt(1 - Math.Pow(_beta2, _steps)) / (1 - Math.Pow(_beta1, _steps));
                ApplyScaled(parameters, _first, corrected);
                if (l1 > 0) SoftThreshold(parameters, corrected * l1, perCoordinate: true);
                break;
            default:
                UpdateSecondMoment(gradient, RmsPropDecay);
                ApplyScaled(parameters, gradient, learningRate);
                if (l1 > 0) SoftThreshold(parameters, learningRate * l1, perCoordinate: true);
                break;
        }
    }

    private void UpdateSecondMoment(ReadOnlySpan<float> gradient, float decay)
    {
        TensorPrimitives.Multiply(gradient, gradient, _scratch);
        TensorPrimitives.Multiply(_second, decay, _second);
        TensorPrimitives.MultiplyAdd(_scratch, 1 - decay, _second, _second);
    }

    /// <summary>p -= rate · direction / (√v + ε).</summary>
    private void ApplyScaled(Span<float> parameters, ReadOnlySpan<float> direction, double rate)
    {
        TensorPrimitives.Sqrt(_second, _denominator);
        TensorPrimitives.Add(_denominator, Epsilon, _denominator);
        TensorPrimitives.Divide(direction, _denominator, _scratch);
        TensorPrimitives.MultiplyAdd(_scratch, (float)-rate, parameters, parameters);
    }

    /// <summary>p ← sign(p) · max(|p| - t, 0), t = amount, or amount / (√v + ε) per coordinate.</summary>
    private void SoftThreshold(Span<float> parameters, double amount, bool perCoordinate)
    {
        for (var j = 0; j < parameters.Length; j++)
        {
            var t = (float)(perCoordinate ? amount / _denominator[j] : amount);
            var p = parameters[j];
            parameters[j] = p > t ? p - t : p < -t ? p + t : 0f;
        }
    }
}
