using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ControlPlane.Application.Persistence.Migrations
{
    /// <summary>
    /// Rebuilds Resources with a plain rowid key (no AUTOINCREMENT) and without the ARN index and the status index's
    /// entries for resources that have no status: fewer pages written per create. The rebuild is one transaction, and
    /// running it again after a crash before EF recorded it rebuilds again from the table it left: nothing is lost
    /// either way. Foreign keys are off meanwhile, else dropping the old table would delete every tag (cascade).
    /// </summary>
    public partial class LeanerResourceIndexes : Migration
    {
        private const string Columns = "\"Id\", \"AccountId\", \"Kind\", \"Name\", \"NameKey\", \"Arn\", \"ArnKey\", \"Status\", \"CreatedAt\", \"ModifiedAt\", \"Document\", \"Summary\", \"Version\"";

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder) => Rebuild(
            migrationBuilder,
            key: "PRIMARY KEY",
            indexes: """
                CREATE INDEX "IX_Resources_Kind_Status" ON "Resources" ("Kind", "Status") WHERE "Status" IS NOT NULL;
                """);

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder) => Rebuild(
            migrationBuilder,
            key: "PRIMARY KEY AUTOINCREMENT",
            indexes: """
                CREATE UNIQUE INDEX "IX_Resources_ArnKey" ON "Resources" ("ArnKey");
                CREATE INDEX "IX_Resources_Kind_Status" ON "Resources" ("Kind", "Status");
                """);

        private static void Rebuild(MigrationBuilder migrationBuilder, string key, string indexes)
        {
            migrationBuilder.Sql("PRAGMA foreign_keys = 0;", suppressTransaction: true);
            migrationBuilder.Sql(
                $"""
                BEGIN;
                DROP TABLE IF EXISTS "Resources_rebuilt";
                CREATE TABLE "Resources_rebuilt" (
                    "Id" INTEGER NOT NULL CONSTRAINT "PK_Resources" {key},
                    "AccountId" TEXT NOT NULL,
                    "Kind" INTEGER NOT NULL,
                    "Name" TEXT NOT NULL,
                    "NameKey" TEXT NOT NULL,
                    "Arn" TEXT NOT NULL,
                    "ArnKey" TEXT NOT NULL,
                    "Status" TEXT NULL,
                    "CreatedAt" INTEGER NOT NULL,
                    "ModifiedAt" INTEGER NOT NULL,
                    "Document" TEXT NOT NULL,
                    "Summary" TEXT NOT NULL,
                    "Version" INTEGER NOT NULL
                );
                INSERT INTO "Resources_rebuilt" ({Columns}) SELECT {Columns} FROM "Resources";
                DROP TABLE "Resources";
                ALTER TABLE "Resources_rebuilt" RENAME TO "Resources";
                CREATE INDEX "IX_Resources_AccountId_Kind_CreatedAt" ON "Resources" ("AccountId", "Kind", "CreatedAt");
                CREATE UNIQUE INDEX "IX_Resources_AccountId_Kind_NameKey" ON "Resources" ("AccountId", "Kind", "NameKey");
                {indexes}
                COMMIT;
                """,
                suppressTransaction: true);
            migrationBuilder.Sql("PRAGMA foreign_keys = 1;", suppressTransaction: true);
        }
    }
}
