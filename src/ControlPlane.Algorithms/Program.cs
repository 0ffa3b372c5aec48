// The entry point: `train` (training contract) or `serve` (hosting contract). Wired up as the algorithms land.
Console.Error.WriteLine("usage: ControlPlane.Algorithms train|serve");
return 2;
