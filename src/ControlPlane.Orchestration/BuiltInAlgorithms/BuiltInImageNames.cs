namespace ControlPlane.Orchestration.BuiltInAlgorithms;

/// <summary>
/// The image names that mean one of SageMaker's built-in algorithms: our documented local names
/// (<c>linear-learner:1</c>, <c>sagemaker-xgboost:1.7-1</c>, <c>xgboost:1</c>) and the ECR URIs the SageMaker Python
/// SDK's <c>image_uris.retrieve</c> returns for them in every region (its <c>image_uri_config/linear-learner.json</c> and
/// <c>xgboost.json</c>: the registry account differs per region, and the legacy <c>xgboost</c> repository has its own).
/// </summary>
internal static class BuiltInImageNames
{
    public const string LinearLearner = "linear-learner";
    public const string Xgboost = "xgboost";

    /// <summary>The versions of the <c>sagemaker-xgboost</c> repository (a tag may carry a suffix: <c>0.90-1-cpu-py3</c>, <c>1.5-1-arm64</c>).</summary>
    private static readonly string[] XgboostVersions = ["0.90-1", "0.90-2", "1.0-1", "1.2-1", "1.2-2", "1.3-1", "1.5-1", "1.7-1", "3.0-5", "3.2-0"];

    /// <summary><c>linear-learner</c> or <c>xgboost</c> when <paramref name="image"/> names that built-in algorithm, else null.</summary>
    public static string? AlgorithmOf(string image)
    {
        var (host, repository, tag) = Split(image.Trim());
        if (host is not null && !IsRegistryOf(host, repository))
        {
            return null;
        }

        return repository switch
        {
            LinearLearner when tag is "1" or "latest" => LinearLearner,
            "xgboost" when tag is "1" or "latest" => Xgboost,
            "sagemaker-xgboost" when XgboostVersions.Any(v => tag == v || tag.StartsWith(v + "-", StringComparison.Ordinal)) => Xgboost,
            _ => null,
        };
    }

    /// <summary>Local names have no registry; an ECR host <c>&lt;account&gt;.dkr.ecr.&lt;region&gt;.amazonaws.com[.cn]</c> must be the algorithm's account for that region.</summary>
    private static bool IsRegistryOf(string host, string repository)
    {
        var parts = host.Split('.');
        if (parts.Length < 5 || parts[1] != "dkr" || parts[2] != "ecr")
        {
            return false;
        }

        var table = repository switch
        {
            LinearLearner => LinearLearnerRegistries,
            "sagemaker-xgboost" => SageMakerXgboostRegistries,
            "xgboost" => LegacyXgboostRegistries,
            _ => null,
        };
        return table is not null && table.TryGetValue(parts[3], out var account) && account == parts[0];
    }

    private static (string? Host, string Repository, string Tag) Split(string image)
    {
        var at = image.IndexOf('@', StringComparison.Ordinal);
        var reference = at >= 0 ? image[..at] : image;
        var colon = reference.LastIndexOf(':');
        var slash = reference.LastIndexOf('/');
        var tag = colon > slash ? reference[(colon + 1)..] : "latest";
        var name = colon > slash ? reference[..colon] : reference;
        var firstSlash = name.IndexOf('/', StringComparison.Ordinal);
        return firstSlash < 0 ? (null, name, tag) : (name[..firstSlash], name[(firstSlash + 1)..], tag);
    }

    private static readonly Dictionary<string, string> LinearLearnerRegistries = new(StringComparer.Ordinal)
    {
        ["af-south-1"] = "455444449433",
        ["ap-east-1"] = "286214385809",
        ["ap-northeast-1"] = "351501993468",
        ["ap-northeast-2"] = "835164637446",
        ["ap-northeast-3"] = "867004704886",
        ["ap-south-1"] = "991648021394",
        ["ap-south-2"] = "628508329040",
        ["ap-southeast-1"] = "475088953585",
        ["ap-southeast-2"] = "712309505854",
        ["ap-southeast-3"] = "951798379941",
        ["ap-southeast-4"] = "106583098589",
        ["ca-central-1"] = "469771592824",
        ["ca-west-1"] = "190319476487",
        ["cn-north-1"] = "390948362332",
        ["cn-northwest-1"] = "387376663083",
        ["eu-central-1"] = "664544806723",
        ["eu-central-2"] = "680994064768",
        ["eu-north-1"] = "669576153137",
        ["eu-south-1"] = "257386234256",
        ["eu-south-2"] = "104374241257",
        ["eu-west-1"] = "438346466558",
        ["eu-west-2"] = "644912444149",
        ["eu-west-3"] = "749696950732",
        ["il-central-1"] = "898809789911",
        ["me-central-1"] = "272398656194",
        ["me-south-1"] = "249704162688",
        ["sa-east-1"] = "855470959533",
        ["us-east-1"] = "382416733822",
        ["us-east-2"] = "404615174143",
        ["us-gov-east-1"] = "237065988967",
        ["us-gov-west-1"] = "226302683700",
        ["us-iso-east-1"] = "490574956308",
        ["us-isob-east-1"] = "765400339828",
        ["us-isof-east-1"] = "108575199400",
        ["us-isof-south-1"] = "124985052026",
        ["us-west-1"] = "632365934929",
        ["us-west-2"] = "174872318107",
    };

    private static readonly Dictionary<string, string> SageMakerXgboostRegistries = new(StringComparer.Ordinal)
    {
        ["af-south-1"] = "510948584623",
        ["ap-east-1"] = "651117190479",
        ["ap-northeast-1"] = "354813040037",
        ["ap-northeast-2"] = "366743142698",
        ["ap-northeast-3"] = "867004704886",
        ["ap-south-1"] = "720646828776",
        ["ap-south-2"] = "628508329040",
        ["ap-southeast-1"] = "121021644041",
        ["ap-southeast-2"] = "783357654285",
        ["ap-southeast-3"] = "951798379941",
        ["ap-southeast-4"] = "106583098589",
        ["ca-central-1"] = "341280168497",
        ["ca-west-1"] = "190319476487",
        ["cn-north-1"] = "450853457545",
        ["cn-northwest-1"] = "451049120500",
        ["eu-central-1"] = "492215442770",
        ["eu-central-2"] = "680994064768",
        ["eu-north-1"] = "662702820516",
        ["eu-south-1"] = "978288397137",
        ["eu-south-2"] = "104374241257",
        ["eu-west-1"] = "141502667606",
        ["eu-west-2"] = "764974769150",
        ["eu-west-3"] = "659782779980",
        ["il-central-1"] = "898809789911",
        ["me-central-1"] = "272398656194",
        ["me-south-1"] = "801668240914",
        ["sa-east-1"] = "737474898029",
        ["us-east-1"] = "683313688378",
        ["us-east-2"] = "257758044811",
        ["us-gov-east-1"] = "237065988967",
        ["us-gov-west-1"] = "414596584902",
        ["us-iso-east-1"] = "833128469047",
        ["us-isob-east-1"] = "281123927165",
        ["us-isof-east-1"] = "108575199400",
        ["us-isof-south-1"] = "124985052026",
        ["us-west-1"] = "746614075791",
        ["us-west-2"] = "246618743249",
    };

    private static readonly Dictionary<string, string> LegacyXgboostRegistries = new(StringComparer.Ordinal)
    {
        ["af-south-1"] = "455444449433",
        ["ap-east-1"] = "286214385809",
        ["ap-northeast-1"] = "501404015308",
        ["ap-northeast-2"] = "306986355934",
        ["ap-northeast-3"] = "867004704886",
        ["ap-south-1"] = "991648021394",
        ["ap-south-2"] = "628508329040",
        ["ap-southeast-1"] = "475088953585",
        ["ap-southeast-2"] = "544295431143",
        ["ap-southeast-3"] = "951798379941",
        ["ap-southeast-4"] = "106583098589",
        ["ca-central-1"] = "469771592824",
        ["cn-north-1"] = "390948362332",
        ["cn-northwest-1"] = "387376663083",
        ["eu-central-1"] = "813361260812",
        ["eu-central-2"] = "680994064768",
        ["eu-north-1"] = "669576153137",
        ["eu-south-1"] = "257386234256",
        ["eu-south-2"] = "104374241257",
        ["eu-west-1"] = "685385470294",
        ["eu-west-2"] = "644912444149",
        ["eu-west-3"] = "749696950732",
        ["me-central-1"] = "272398656194",
        ["me-south-1"] = "249704162688",
        ["sa-east-1"] = "855470959533",
        ["us-east-1"] = "811284229777",
        ["us-east-2"] = "825641698319",
        ["us-gov-east-1"] = "237065988967",
        ["us-gov-west-1"] = "226302683700",
        ["us-iso-east-1"] = "490574956308",
        ["us-isob-east-1"] = "765400339828",
        ["us-west-1"] = "632365934929",
        ["us-west-2"] = "433757028032",
    };
}
