-- Reference data the worker cannot run without. `lobstr_value` is the string Lobstr returns for
-- Leboncoin ads. Inserted only where missing, so production values are left alone.

insert into public.channel_priorities (channel, priority) values
  ('ringless_voice', 1), ('whatsapp_text', 2), ('sms', 3)
on conflict (channel) do nothing;

insert into public.ad_types (name, lobstr_value) values
  ('Voitures', 'Voiture'), ('Motos', 'Moto'), ('Utilitaires', 'Utilitaire'),
  ('Caravaning', 'Caravaning')
on conflict (lobstr_value) do nothing;

insert into public.ad_sub_types (ad_type_id, name, lobstr_value)
select t.id, s.name, s.lobstr_value
from (values
  ('Voiture', 'Berline', 'Berline'), ('Voiture', 'Break', 'Break'),
  ('Voiture', 'Citadine', 'Citadine'), ('Voiture', '4x4, SUV, Crossover', '4x4, SUV, Crossover'),
  ('Voiture', 'Monospace', 'Monospace'), ('Voiture', 'Coupé', 'Coupé'),
  ('Voiture', 'Cabriolet', 'Cabriolet'), ('Voiture', 'Autre', 'Autre'),
  ('Moto', 'Roadster', 'Roadster'), ('Moto', 'Sportive', 'Sportive'), ('Moto', 'Scooter', 'Scooter'),
  ('Moto', 'Trail', 'Trail'), ('Moto', 'Custom', 'Custom'), ('Moto', 'Autre', 'Autre'),
  ('Utilitaire', 'Fourgon', 'Fourgon'), ('Utilitaire', 'Pick-up', 'Pick-up'),
  ('Utilitaire', 'Autre', 'Autre')
) as s (type_value, name, lobstr_value)
join public.ad_types t on t.lobstr_value = s.type_value
on conflict (ad_type_id, lobstr_value) do nothing;

insert into public.brands (name, lobstr_value) values
  ('Renault', 'Renault'), ('Peugeot', 'Peugeot'), ('Citroën', 'Citroen'), ('Dacia', 'Dacia'),
  ('Volkswagen', 'Volkswagen'), ('Toyota', 'Toyota'), ('BMW', 'BMW'), ('Mercedes-Benz', 'Mercedes-Benz'),
  ('Audi', 'Audi'), ('Ford', 'Ford'), ('Opel', 'Opel'), ('Fiat', 'Fiat'), ('Nissan', 'Nissan'),
  ('Kia', 'Kia'), ('Hyundai', 'Hyundai'), ('Skoda', 'Skoda'), ('Seat', 'Seat'), ('Tesla', 'Tesla'),
  ('Volvo', 'Volvo'), ('Mini', 'Mini'), ('DS', 'DS'), ('Suzuki', 'Suzuki'), ('Honda', 'Honda'),
  ('Yamaha', 'Yamaha'), ('Kawasaki', 'Kawasaki'), ('Ducati', 'Ducati'), ('Triumph', 'Triumph'),
  ('Harley-Davidson', 'Harley-Davidson'), ('Iveco', 'Iveco'), ('Mazda', 'Mazda'), ('Jeep', 'Jeep'),
  ('Land Rover', 'Land-Rover'), ('Porsche', 'Porsche'), ('Alfa Romeo', 'Alfa Romeo'), ('Smart', 'Smart')
on conflict (lobstr_value) do nothing;

insert into public.fuels (name, lobstr_value) values
  ('Essence', 'Essence'), ('Diesel', 'Diesel'), ('Hybride', 'Hybride'),
  ('Hybride rechargeable', 'Hybride Rechargeable'), ('Électrique', 'Électrique'),
  ('GPL', 'GPL'), ('Autre', 'Autre')
on conflict (lobstr_value) do nothing;

insert into public.gear_boxes (name, lobstr_value) values
  ('Manuelle', 'Manuelle'), ('Automatique', 'Automatique')
on conflict (lobstr_value) do nothing;

insert into public.driving_licences (name, lobstr_value) values
  ('Avec permis', 'Avec permis'), ('Sans permis', 'Sans permis'),
  ('A', 'A'), ('A1', 'A1'), ('A2', 'A2'), ('B', 'B')
on conflict (lobstr_value) do nothing;

insert into public.vehicle_seats (name, lobstr_value) values
  ('1', '1'), ('2', '2'), ('3', '3'), ('4', '4'), ('5', '5'), ('6', '6'), ('7', '7'),
  ('8', '8'), ('9 ou plus', '9 ou plus')
on conflict (lobstr_value) do nothing;

insert into public.vehicle_states (name, lobstr_value) values
  ('Non endommagé', 'Non endommagé'), ('Endommagé', 'Endommagé'), ('Pour pièces', 'Pour pièces')
on conflict (lobstr_value) do nothing;

insert into public.locations (zipcode, name, lat, lng) values
  ('75001', 'Paris', 48.8625, 2.3364), ('75015', 'Paris', 48.8412, 2.3003),
  ('69001', 'Lyon', 45.7676, 4.8344), ('13001', 'Marseille', 43.2999, 5.3841),
  ('13880', 'Velaux', 43.5236, 5.2536), ('31000', 'Toulouse', 43.6045, 1.4440),
  ('33000', 'Bordeaux', 44.8378, -0.5792), ('44000', 'Nantes', 47.2184, -1.5536),
  ('59000', 'Lille', 50.6292, 3.0573), ('67000', 'Strasbourg', 48.5734, 7.7521),
  ('06000', 'Nice', 43.7102, 7.2620), ('01000', 'Bourg-en-Bresse', 46.2052, 5.2255),
  ('02100', 'Saint-Quentin', 49.8465, 3.2876), ('03100', 'Montluçon', 46.3401, 2.6033),
  ('04000', 'Digne-les-Bains', 44.0925, 6.2356), ('05000', 'Gap', 44.5594, 6.0786),
  ('07000', 'Privas', 44.7353, 4.5994), ('08000', 'Charleville-Mézières', 49.7621, 4.7263),
  ('09000', 'Foix', 42.9653, 1.6079), ('78000', 'Versailles', 48.8049, 2.1204),
  ('92100', 'Boulogne-Billancourt', 48.8397, 2.2399), ('94000', 'Créteil', 48.7904, 2.4556),
  ('38000', 'Grenoble', 45.1885, 5.7245), ('34000', 'Montpellier', 43.6108, 3.8767),
  ('35000', 'Rennes', 48.1173, -1.6778)
on conflict (zipcode, name) do nothing;
