-- Holidays and adjusted workdays entered before the State Council's notice for their year is
-- published are provisional (statutory holidays only); an admin confirms or corrects them.
ALTER TABLE calendar_days ADD COLUMN provisional boolean NOT NULL DEFAULT false;
