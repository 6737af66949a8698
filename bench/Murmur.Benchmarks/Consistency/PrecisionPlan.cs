namespace Murmur.Benchmarks.Consistency;

/// <summary>
/// The precision task, drawn from a seed: operators each make M read-modify-write changes to a shared config. The
/// result depends on which writes each operator had seen when it computed its own — on ordering.
/// </summary>
internal sealed class PrecisionPlan
{
    public const double LatencyMedianMs = 3;
    public const double LatencySigma = 0.6;

    private PrecisionPlan(int seed, IReadOnlyList<(string Name, IReadOnlyList<ConfigOp> Ops)> operators)
    {
        Seed = seed;
        Operators = operators;
    }

    public int Seed { get; }

    /// <summary>Operators in name order (the order strict rounds and the coordinator apply a step's writes in).</summary>
    public IReadOnlyList<(string Name, IReadOnlyList<ConfigOp> Ops)> Operators { get; }

    public int Steps => Operators[0].Ops.Count;

    public int TotalWrites => Operators.Count * Steps;

    public static PrecisionPlan Create(int seed, int operators, int steps)
    {
        var random = new Random(seed);
        var list = new List<(string, IReadOnlyList<ConfigOp>)>();
        for (var o = 0; o < operators; o++)
        {
            var ops = new List<ConfigOp>();
            for (var s = 0; s < steps; s++)
            {
                ops.Add(new ConfigOp(Modelled.LogNormal(random, LatencyMedianMs, LatencySigma), ConfigState.Keys[random.Next(ConfigState.Keys.Length)], random.Next(1, 4), random.Next(-5, 11)));
            }
            list.Add(($"Operator_{o + 1}", ops));
        }
        return new PrecisionPlan(seed, list);
    }

    /// <summary>Supersteps: step s of every operator is computed from the state after all writes of steps &lt; s, applied in operator order.</summary>
    public string Reference()
    {
        var state = new ConfigState();
        for (var s = 0; s < Steps; s++)
        {
            var writes = Operators.Select(o => (o.Ops[s].Key, Value: state.Compute(o.Ops[s]))).ToList();
            foreach (var (key, value) in writes)
            {
                state.Set(key, value);
            }
        }
        return state.ToString();
    }
}
