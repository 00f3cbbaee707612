CREATE INDEX "applicant_profiles_created_user_idx" ON "applicant_profiles" USING btree ("created_at","user_id");--> statement-breakpoint
CREATE INDEX "applicant_profiles_score_user_idx" ON "applicant_profiles" USING btree ("score","user_id");--> statement-breakpoint
CREATE INDEX "applicant_profiles_status_user_idx" ON "applicant_profiles" USING btree ("verification_status","user_id");--> statement-breakpoint
CREATE INDEX "users_full_name_id_idx" ON "users" USING btree ("full_name","id");--> statement-breakpoint
CREATE INDEX "users_updated_at_id_idx" ON "users" USING btree ("updated_at","id");