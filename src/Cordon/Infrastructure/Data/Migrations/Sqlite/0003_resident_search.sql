-- 0003_resident_search (SQLite): the area-and-name index of the model. SQLite has no per-column statistics target
-- (the PostgreSQL script also raises it for "Name").
CREATE INDEX "IX_Residents_AreaCode_Name_Id" ON "Residents" ("AreaCode", "Name", "Id");
